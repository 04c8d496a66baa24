package io.modelserve.controller.events;

import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.controller.reconcile.ControllerStore;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the leader saw of the cluster in one pass, as much as the timeline compares between passes.
 *
 * @param statuses    replica id -> the status its node reported
 * @param assignments replica id -> where the controller wants it
 * @param liveNodes   ids of the nodes whose member is in the cluster
 */
public record Observation(Map<String, ReplicaStatus> statuses, Map<String, ReplicaAssignment> assignments,
        Set<String> liveNodes) {
    public Observation {
        statuses = Map.copyOf(statuses);
        assignments = Map.copyOf(assignments);
        liveNodes = Set.copyOf(liveNodes);
    }

    public static Observation of(ControllerStore store) {
        Map<String, ReplicaStatus> statuses = new TreeMap<>();
        store.statuses().forEach(s -> statuses.put(s.replicaId(), s));
        Map<String, ReplicaAssignment> assignments = new TreeMap<>();
        store.assignments().forEach(a -> assignments.put(a.replicaId(), a));
        Set<String> nodes = new TreeSet<>();
        store.liveNodes().stream().map(NodeStatus::nodeId).forEach(nodes::add);
        return new Observation(statuses, assignments, nodes);
    }
}
