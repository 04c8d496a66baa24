package io.modelserve.controller.reconcile;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One read of the backing store per reconcile pass, kept current with the pass's own writes, so
 * reconciling N deployments costs one round of reads instead of N.
 */
final class SnapshotStore implements ControllerStore {
    private final ControllerStore backing;
    private final List<DeploymentSpec> desired;
    private final Map<String, ReplicaAssignment> assignments = new LinkedHashMap<>();
    private final List<ReplicaStatus> statuses;
    private final List<NodeStatus> liveNodes;

    SnapshotStore(ControllerStore backing) {
        this.backing = backing;
        this.desired = List.copyOf(backing.desired());
        backing.assignments().forEach(a -> assignments.put(a.replicaId(), a));
        this.statuses = List.copyOf(backing.statuses());
        this.liveNodes = List.copyOf(backing.liveNodes());
    }

    @Override
    public Collection<DeploymentSpec> desired() {
        return desired;
    }

    @Override
    public Collection<ReplicaAssignment> assignments() {
        return List.copyOf(assignments.values());
    }

    @Override
    public Collection<ReplicaStatus> statuses() {
        return statuses;
    }

    @Override
    public Collection<NodeStatus> liveNodes() {
        return liveNodes;
    }

    @Override
    public void putAssignment(ReplicaAssignment assignment) {
        backing.putAssignment(assignment);
        assignments.put(assignment.replicaId(), assignment);
    }

    @Override
    public void removeAssignment(String replicaId) {
        if (assignments.remove(replicaId) != null) {
            backing.removeAssignment(replicaId);
        }
    }

    // The applied and deployment entries are not the reconciler's to write: straight through.

    @Override
    public java.util.Optional<io.modelserve.cluster.AppliedConfig> applied() {
        return backing.applied();
    }

    @Override
    public boolean replaceApplied(java.util.Optional<io.modelserve.cluster.AppliedConfig> expected,
            io.modelserve.cluster.AppliedConfig next) {
        return backing.replaceApplied(expected, next);
    }

    @Override
    public void putApplied(io.modelserve.cluster.AppliedConfig applied) {
        backing.putApplied(applied);
    }

    @Override
    public void putDeployment(DeploymentSpec spec) {
        backing.putDeployment(spec);
    }

    @Override
    public void removeDeployment(String name) {
        backing.removeDeployment(name);
    }

    @Override
    public java.util.Collection<io.modelserve.cluster.ClusterEvent> events() {
        return backing.events();
    }

    @Override
    public void putEvent(io.modelserve.cluster.ClusterEvent event) {
        backing.putEvent(event);
    }

    @Override
    public void removeEvent(long seq) {
        backing.removeEvent(seq);
    }
}
