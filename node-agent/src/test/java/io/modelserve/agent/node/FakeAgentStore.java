package io.modelserve.agent.node;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** This node's slice of the cluster maps as plain maps; counts every write, as Hazelcast would see it. */
final class FakeAgentStore implements AgentStore {
    private final Map<String, DeploymentSpec> desired = new LinkedHashMap<>();
    private final Map<String, ReplicaAssignment> assignments = new LinkedHashMap<>();
    private final Map<String, ReplicaStatus> statuses = new LinkedHashMap<>();
    final List<ReplicaStatus> statusWrites = new ArrayList<>();
    final List<NodeStatus> nodeWrites = new ArrayList<>();
    String member = "member-1";

    void apply(DeploymentSpec spec) {
        desired.put(spec.name(), spec);
    }

    void assign(ReplicaAssignment assignment) {
        assignments.put(assignment.replicaId(), assignment);
    }

    void unassign(String replicaId) {
        assignments.remove(replicaId);
    }

    Optional<ReplicaStatus> status(String replicaId) {
        return Optional.ofNullable(statuses.get(replicaId));
    }

    @Override
    public Map<String, DeploymentSpec> desired() {
        return Map.copyOf(desired);
    }

    @Override
    public Collection<ReplicaAssignment> assignments() {
        return List.copyOf(assignments.values());
    }

    @Override
    public void putStatus(ReplicaStatus status) {
        statuses.put(status.replicaId(), status);
        statusWrites.add(status);
    }

    @Override
    public void removeStatus(String replicaId) {
        statuses.remove(replicaId);
    }

    @Override
    public String memberId() {
        return member;
    }

    @Override
    public void putNode(NodeStatus node) {
        nodeWrites.add(node);
    }

    @Override
    public void removeNode(String nodeId) {
        nodeWrites.removeIf(n -> n.nodeId().equals(nodeId));
    }
}
