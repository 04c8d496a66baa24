package io.modelserve.controller.scheduling;

import io.modelserve.cluster.Resources;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Free resources of one node during one scheduling pass: capacity minus allocations, then minus
 * each placement as it is made. Mutable and short-lived: it never leaves {@link ReplicaScheduler}.
 *
 * <p>Free amounts may be negative when a node shrank below what already runs on it; such a node
 * simply fits nothing until replicas leave.
 */
final class NodeLedger {

    static final long GPU_MILLI = 1000;

    /** Returned by {@link #bestFitGpu} when no device has room. */
    static final int NO_DEVICE = -1;

    private final NodeCapacity capacity;
    private long freeCpuMilli;
    private final long[] freeGpuMilli;
    private final Map<String, Integer> replicasByDeployment = new HashMap<>();

    NodeLedger(NodeCapacity capacity) {
        this.capacity = capacity;
        this.freeCpuMilli = capacity.cpuMilli();
        this.freeGpuMilli = new long[capacity.gpus()];
        Arrays.fill(freeGpuMilli, GPU_MILLI);
    }

    String nodeId() {
        return capacity.nodeId();
    }

    long cpuCapacityMilli() {
        return capacity.cpuMilli();
    }

    long freeCpuMilli() {
        return freeCpuMilli;
    }

    int gpuCount() {
        return freeGpuMilli.length;
    }

    long freeGpuMilli(int index) {
        return freeGpuMilli[index];
    }

    /** The most GPU free on any one device, since a replica's share cannot span devices. */
    long largestFreeGpuMilli() {
        long largest = 0;
        for (long free : freeGpuMilli) {
            largest = Math.max(largest, free);
        }
        return largest;
    }

    int replicasOf(String deployment) {
        return replicasByDeployment.getOrDefault(deployment, 0);
    }

    /**
     * Takes {@code cost} off this node. A GPU index the node no longer has (it restarted with fewer
     * devices) charges no GPU: there is nothing left to protect on a device that is gone.
     */
    void charge(String deployment, Resources cost, int gpuIndex) {
        freeCpuMilli -= cost.cpuMilli();
        if (gpuIndex >= 0 && gpuIndex < freeGpuMilli.length) {
            freeGpuMilli[gpuIndex] -= cost.gpuMilli();
        }
        replicasByDeployment.merge(deployment, 1, Integer::sum);
    }

    boolean fits(Resources cost) {
        return cost.cpuMilli() <= freeCpuMilli && (cost.gpuMilli() == 0 || bestFitGpu(cost.gpuMilli()) != NO_DEVICE);
    }

    /**
     * The device with the least free GPU that still holds {@code gpuMilli}, lowest index on ties:
     * packing fractions tightly keeps whole devices free for replicas that need one.
     */
    int bestFitGpu(long gpuMilli) {
        int best = NO_DEVICE;
        for (int i = 0; i < freeGpuMilli.length; i++) {
            if (freeGpuMilli[i] >= gpuMilli && (best == NO_DEVICE || freeGpuMilli[i] < freeGpuMilli[best])) {
                best = i;
            }
        }
        return best;
    }
}
