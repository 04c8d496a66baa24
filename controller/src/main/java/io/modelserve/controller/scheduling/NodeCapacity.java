package io.modelserve.controller.scheduling;

import io.modelserve.cluster.GpuDevice;
import io.modelserve.cluster.NodeStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a node offers in total: CPU in milli-cores and {@code gpus} devices of 1000 milli each.
 *
 * @param gpuMemoryBytes the memory of each device, by index; 0 where the node does not say (an older
 *                       node), and then no {@code gpu_memory} request fits that device
 */
public record NodeCapacity(String nodeId, long cpuMilli, int gpus, List<Long> gpuMemoryBytes) {

    public NodeCapacity {
        Objects.requireNonNull(nodeId, "nodeId");
        if (cpuMilli < 0 || gpus < 0) {
            throw new IllegalArgumentException("node " + nodeId + " has negative capacity: cpu "
                    + cpuMilli + "m, gpus " + gpus);
        }
        gpuMemoryBytes = List.copyOf(gpuMemoryBytes);
        if (gpuMemoryBytes.size() != gpus) {
            throw new IllegalArgumentException("node " + nodeId + ": " + gpus + " GPUs but " + gpuMemoryBytes.size()
                    + " memory sizes");
        }
    }

    /** GPUs of unknown memory. */
    public NodeCapacity(String nodeId, long cpuMilli, int gpus) {
        this(nodeId, cpuMilli, gpus, Collections.nCopies(gpus, 0L));
    }

    public static NodeCapacity of(NodeStatus status) {
        if (status.devices().size() != status.gpus()) {
            return new NodeCapacity(status.nodeId(), status.cpuMilli(), status.gpus());
        }
        List<Long> memory = new ArrayList<>(status.gpus());
        for (GpuDevice device : status.devices()) {
            memory.add(device.memoryTotalBytes());
        }
        return new NodeCapacity(status.nodeId(), status.cpuMilli(), status.gpus(), memory);
    }
}
