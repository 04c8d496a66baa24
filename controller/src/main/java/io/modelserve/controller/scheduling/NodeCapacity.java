package io.modelserve.controller.scheduling;

import io.modelserve.cluster.NodeStatus;
import java.util.Objects;

/**
 * What a node offers in total: CPU in milli-cores and {@code gpus} devices of 1000 milli each.
 */
public record NodeCapacity(String nodeId, long cpuMilli, int gpus) {

    public NodeCapacity {
        Objects.requireNonNull(nodeId, "nodeId");
        if (cpuMilli < 0 || gpus < 0) {
            throw new IllegalArgumentException("node " + nodeId + " has negative capacity: cpu "
                    + cpuMilli + "m, gpus " + gpus);
        }
    }

    public static NodeCapacity of(NodeStatus status) {
        return new NodeCapacity(status.nodeId(), status.cpuMilli(), status.gpus());
    }
}
