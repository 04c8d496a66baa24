package io.modelserve.controller.reconcile;

import com.hazelcast.cluster.Member;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The reconciler's view of the Hazelcast maps; a node counts as live while its member is in the cluster. */
public final class HazelcastControllerStore implements ControllerStore {
    /** The one key of the applied map. */
    public static final String APPLIED_KEY = "current";

    private final ClusterState state;

    public HazelcastControllerStore(ClusterState state) {
        this.state = state;
    }

    /** Declared specs, with the autoscaler's decision as the replica count of autoscaled ones. */
    @Override
    public Collection<DeploymentSpec> desired() {
        java.util.Map<String, io.modelserve.cluster.AutoscaleDecision> decisions = autoscaleDecisions();
        List<DeploymentSpec> specs = new java.util.ArrayList<>();
        for (DeploymentSpec spec : state.deployments().values()) {
            if (spec.isAutoscaled()) {
                io.modelserve.cluster.AutoscaleDecision decision = decisions.get(spec.name());
                spec = spec.withReplicas(spec.autoscaling().clamp(decision == null ? spec.autoscaling().min() : decision.replicas()));
            }
            specs.add(spec);
        }
        return specs;
    }

    @Override
    public Collection<DeploymentSpec> declared() {
        return state.deployments().values();
    }

    @Override
    public java.util.Map<String, io.modelserve.cluster.AutoscaleDecision> autoscaleDecisions() {
        java.util.Map<String, io.modelserve.cluster.AutoscaleDecision> decisions = new java.util.HashMap<>();
        for (io.modelserve.cluster.AutoscaleDecision decision : state.autoscale().values()) {
            decisions.put(decision.deployment(), decision);
        }
        return decisions;
    }

    @Override
    public void putAutoscaleDecision(io.modelserve.cluster.AutoscaleDecision decision) {
        state.autoscale().put(decision.deployment(), decision);
    }

    @Override
    public int queuedWork(String deployment) {
        return state.workQueue(deployment).size();
    }

    @Override
    public java.util.Map<String, Long> demand() {
        return new java.util.HashMap<>(state.demand().entries());
    }

    @Override
    public Collection<ReplicaAssignment> assignments() {
        return state.assignments().values();
    }

    @Override
    public Collection<ReplicaStatus> statuses() {
        return state.replicas().values();
    }

    @Override
    public Collection<NodeStatus> liveNodes() {
        Set<String> members = new HashSet<>();
        for (Member member : state.hazelcast().getCluster().getMembers()) {
            members.add(member.getUuid().toString());
        }
        List<NodeStatus> nodes = state.nodes().values();
        return nodes.stream().filter(n -> members.contains(n.memberUuid())).toList();
    }

    @Override
    public void putAssignment(ReplicaAssignment assignment) {
        state.assignments().put(assignment.replicaId(), assignment);
    }

    @Override
    public void removeAssignment(String replicaId) {
        state.assignments().remove(replicaId);
    }

    @Override
    public java.util.Optional<io.modelserve.cluster.AppliedConfig> applied() {
        return state.applied().get(APPLIED_KEY);
    }

    @Override
    public boolean replaceApplied(java.util.Optional<io.modelserve.cluster.AppliedConfig> expected,
            io.modelserve.cluster.AppliedConfig next) {
        return expected.isPresent() ? state.applied().replace(APPLIED_KEY, expected.get(), next)
                : state.applied().putIfAbsent(APPLIED_KEY, next).isEmpty();
    }

    @Override
    public void putApplied(io.modelserve.cluster.AppliedConfig applied) {
        state.applied().put(APPLIED_KEY, applied);
    }

    @Override
    public void putDeployment(DeploymentSpec spec) {
        state.deployments().put(spec.name(), spec);
    }

    @Override
    public void removeDeployment(String name) {
        state.deployments().remove(name);
    }

    @Override
    public void removeStatus(String replicaId) {
        state.replicas().remove(replicaId);
    }

    @Override
    public Collection<io.modelserve.cluster.ClusterEvent> events() {
        return state.events().values();
    }

    @Override
    public void putEvent(io.modelserve.cluster.ClusterEvent event) {
        state.events().put(io.modelserve.cluster.ClusterEvent.key(event.seq()), event);
    }

    @Override
    public void removeEvent(long seq) {
        state.events().remove(io.modelserve.cluster.ClusterEvent.key(seq));
    }
}
