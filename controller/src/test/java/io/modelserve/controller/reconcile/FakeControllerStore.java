package io.modelserve.controller.reconcile;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.cluster.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster maps as plain in-memory maps. Counts the controller's writes (so idempotence can be
 * asserted) and can be told to refuse writes for one deployment (so a failing reconcile can be made).
 * Public so the admin tests can build a cluster with it too.
 */
public final class FakeControllerStore implements ControllerStore {
    private final Map<String, DeploymentSpec> desired = new TreeMap<>();
    private final Map<String, ReplicaAssignment> assignments = new LinkedHashMap<>();
    private final Map<String, ReplicaStatus> statuses = new LinkedHashMap<>();
    private final Map<String, NodeStatus> nodes = new TreeMap<>();
    private final Set<String> refusedDeployments = new HashSet<>();
    private final Map<String, Integer> queued = new java.util.HashMap<>();
    private final Map<Long, io.modelserve.cluster.ClusterEvent> events = new TreeMap<>();
    private final Map<String, io.modelserve.cluster.AutoscaleDecision> decisions = new TreeMap<>();
    private io.modelserve.cluster.AppliedConfig applied;
    private int writes;

    // --- what the controller reads and writes

    /** Kept, as the cluster keeps them; {@link #desired()} does not apply them (tests set replicas themselves). */
    @Override
    public Map<String, io.modelserve.cluster.AutoscaleDecision> autoscaleDecisions() {
        return Map.copyOf(decisions);
    }

    @Override
    public void putAutoscaleDecision(io.modelserve.cluster.AutoscaleDecision decision) {
        decisions.put(decision.deployment(), decision);
    }

    @Override
    public Collection<io.modelserve.cluster.ClusterEvent> events() {
        return List.copyOf(events.values());
    }

    @Override
    public void putEvent(io.modelserve.cluster.ClusterEvent event) {
        events.put(event.seq(), event);
    }

    @Override
    public void removeEvent(long seq) {
        events.remove(seq);
    }

    @Override
    public Collection<DeploymentSpec> desired() {
        return List.copyOf(desired.values());
    }

    @Override
    public Collection<ReplicaAssignment> assignments() {
        return List.copyOf(assignments.values());
    }

    @Override
    public Collection<ReplicaStatus> statuses() {
        return List.copyOf(statuses.values());
    }

    @Override
    public Collection<NodeStatus> liveNodes() {
        return List.copyOf(nodes.values());
    }

    @Override
    public void putAssignment(ReplicaAssignment assignment) {
        refuseIfTold(assignment.deployment());
        writes++;
        assignments.put(assignment.replicaId(), assignment);
    }

    @Override
    public void removeAssignment(String replicaId) {
        ReplicaAssignment existing = assignments.get(replicaId);
        if (existing != null) {
            refuseIfTold(existing.deployment());
        }
        writes++;
        assignments.remove(replicaId);
    }

    @Override
    public int queuedWork(String deployment) {
        return queued.getOrDefault(deployment, 0);
    }

    @Override
    public Optional<io.modelserve.cluster.AppliedConfig> applied() {
        return Optional.ofNullable(applied);
    }

    @Override
    public synchronized boolean replaceApplied(Optional<io.modelserve.cluster.AppliedConfig> expected,
            io.modelserve.cluster.AppliedConfig next) {
        if (!java.util.Objects.equals(expected.orElse(null), applied)) {
            return false;
        }
        applied = next;
        return true;
    }

    @Override
    public void putApplied(io.modelserve.cluster.AppliedConfig entry) {
        applied = entry;
    }

    @Override
    public void putDeployment(DeploymentSpec spec) {
        desired.put(spec.name(), spec);
    }

    @Override
    public void removeDeployment(String name) {
        desired.remove(name);
    }

    /** A write by someone other than the controller: not counted, never refused. */
    public void putAssignmentBehindTheLeader(ReplicaAssignment assignment) {
        assignments.put(assignment.replicaId(), assignment);
    }

    public void removeAssignmentBehindTheLeader(String replicaId) {
        assignments.remove(replicaId);
    }

    /** Someone else deletes the applied entry (what a forged entry reads as, too). */
    public void deleteApplied() {
        applied = null;
    }

    private void refuseIfTold(String deployment) {
        if (refusedDeployments.contains(deployment)) {
            throw new IllegalStateException("store refuses writes for " + deployment);
        }
    }

    // --- what the operator (apply), the nodes and the test do

    public FakeControllerStore apply(DeploymentSpec spec) {
        desired.put(spec.name(), spec);
        return this;
    }

    public FakeControllerStore unapply(String deployment) {
        desired.remove(deployment);
        return this;
    }

    /** A live node with {@code cpu} cores (as in conf.ini, e.g. "4" or "0.5") and {@code gpus} devices. */
    public NodeStatus addNode(String nodeId, String cpu, int gpus) {
        NodeStatus node = new NodeStatus(nodeId, "uuid-" + nodeId, "10.0.0." + (nodes.size() + 1),
                "http://" + nodeId + ":8000", Resources.parseMilli(cpu), gpus, true, 0);
        nodes.put(nodeId, node);
        return node;
    }

    /** The node's member leaves the cluster; whatever it reported stays behind, as in Hazelcast. */
    public void loseNode(String nodeId) {
        nodes.remove(nodeId);
    }

    public void putStatus(ReplicaStatus status) {
        statuses.put(status.replicaId(), status);
    }

    public void removeStatus(String replicaId) {
        statuses.remove(replicaId);
    }

    /** {@code depth} requests wait in the async queue of {@code deployment}. */
    public void queue(String deployment, int depth) {
        queued.put(deployment, depth);
    }

    public void refuseWritesFor(String deployment) {
        refusedDeployments.add(deployment);
    }

    /** Writes (puts and removes of assignments) made by the controller so far. */
    public int writes() {
        return writes;
    }

    public List<ReplicaAssignment> assignmentsOf(String deployment) {
        List<ReplicaAssignment> mine = new ArrayList<>();
        for (ReplicaAssignment a : assignments.values()) {
            if (a.deployment().equals(deployment)) {
                mine.add(a);
            }
        }
        return mine;
    }

    public Optional<ReplicaAssignment> assignment(String replicaId) {
        return Optional.ofNullable(assignments.get(replicaId));
    }

    public Optional<ReplicaStatus> status(String replicaId) {
        return Optional.ofNullable(statuses.get(replicaId));
    }

    public Set<String> liveNodeIds() {
        return Set.copyOf(nodes.keySet());
    }
}
