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
    private final long[] gpuMemoryBytes;
    private final Map<String, Integer> replicasByDeployment = new HashMap<>();

    NodeLedger(NodeCapacity capacity) {
        this.capacity = capacity;
        this.freeCpuMilli = capacity.cpuMilli();
        this.freeGpuMilli = new long[capacity.gpus()];
        Arrays.fill(freeGpuMilli, GPU_MILLI);
        this.gpuMemoryBytes = capacity.gpuMemoryBytes().stream().mapToLong(Long::longValue).toArray();
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

    /** The memory of device {@code index}, 0 when unknown. */
    long gpuMemoryBytes(int index) {
        return gpuMemoryBytes[index];
    }

    /** The most GPU memory free on any one device: its free share of its size. */
    long largestFreeGpuMemoryBytes() {
        long largest = 0;
        for (int i = 0; i < freeGpuMilli.length; i++) {
            largest = Math.max(largest, Math.max(0, freeGpuMilli[i]) * gpuMemoryBytes[i] / GPU_MILLI);
        }
        return largest;
    }

    /** The largest device of this node, by memory. */
    long largestGpuMemoryBytes() {
        return Arrays.stream(gpuMemoryBytes).max().orElse(0);
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
     * Takes {@code cpuMilli} and {@code gpuMilli} of device {@code gpuIndex} off this node. A GPU index
     * the node no longer has (it restarted with fewer devices) charges no GPU: there is nothing left
     * to protect on a device that is gone.
     */
    void charge(String deployment, long cpuMilli, int gpuIndex, long gpuMilli) {
        freeCpuMilli -= cpuMilli;
        if (gpuIndex >= 0 && gpuIndex < freeGpuMilli.length) {
            freeGpuMilli[gpuIndex] -= gpuMilli;
        }
        replicasByDeployment.merge(deployment, 1, Integer::sum);
    }

    boolean fits(Resources cost) {
        return cost.cpuMilli() <= freeCpuMilli && (!cost.needsGpu() || bestFitGpu(cost) != NO_DEVICE);
    }

    /** The share of device {@code index} that {@code cost} takes: its fraction, or its memory over the device's. */
    long gpuMilliOn(Resources cost, int index) {
        return cost.gpuMilliOn(gpuMemoryBytes[index]);
    }

    /**
     * The device with the least free GPU that still holds what {@code cost} takes of it, lowest index
     * on ties: packing fractions tightly keeps whole devices free for replicas that need one. A
     * {@code gpu_memory} request takes a different share of devices of different sizes, and none of a
     * device smaller than the memory asked.
     */
    int bestFitGpu(Resources cost) {
        int best = NO_DEVICE;
        for (int i = 0; i < freeGpuMilli.length; i++) {
            long need = gpuMilliOn(cost, i);
            if (need <= GPU_MILLI && freeGpuMilli[i] >= need
                    && (best == NO_DEVICE || freeGpuMilli[i] < freeGpuMilli[best])) {
                best = i;
            }
        }
        return best;
    }
}
