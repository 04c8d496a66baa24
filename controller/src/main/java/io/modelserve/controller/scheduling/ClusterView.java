package io.modelserve.controller.scheduling;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The nodes the scheduler may use and what already runs on them. Allocations on nodes not listed
 * are ignored: a lost node's replicas will be rescheduled, not charged to anyone.
 */
public record ClusterView(List<NodeCapacity> nodes, List<Allocation> allocations) {

    public ClusterView {
        nodes = List.copyOf(nodes);
        allocations = List.copyOf(allocations);
        Set<String> ids = new HashSet<>();
        for (NodeCapacity node : nodes) {
            if (!ids.add(node.nodeId())) {
                throw new IllegalArgumentException("node " + node.nodeId() + " is listed twice");
            }
        }
    }
}
