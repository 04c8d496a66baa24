package io.modelserve.controller.scheduling;

import io.modelserve.cluster.Resources;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a replica fits nowhere, in words an operator can act on: what it needs and the largest free
 * slot the cluster has, e.g. {@code needs gpu 0.5, largest free 0.3 on node-b}.
 */
final class PendingReason {

    static final String NO_NODES = "no nodes in the cluster";

    private PendingReason() {
    }

    /** @param nodes the cluster's ledgers in nodeId order, so ties name the first node */
    static String describe(Resources need, List<NodeLedger> nodes) {
        if (nodes.isEmpty()) {
            return NO_NODES;
        }
        NodeLedger mostCpu = nodes.get(0);
        NodeLedger mostGpu = null;
        for (NodeLedger node : nodes) {
            if (node.freeCpuMilli() > mostCpu.freeCpuMilli()) {
                mostCpu = node;
            }
            if (node.gpuCount() > 0
                    && (mostGpu == null || node.largestFreeGpuMilli() > mostGpu.largestFreeGpuMilli())) {
                mostGpu = node;
            }
        }
        String cpu = "needs cpu " + Resources.formatMilli(need.cpuMilli()) + ", largest free "
                + Resources.formatMilli(Math.max(0, mostCpu.freeCpuMilli())) + " on " + mostCpu.nodeId();
        String gpu;
        boolean gpuShort;
        if (need.gpuMemoryBytes() > 0) {
            NodeLedger mostMemory = null;
            NodeLedger largestDevice = null;
            for (NodeLedger node : nodes) {
                if (node.gpuCount() > 0 && (mostMemory == null
                        || node.largestFreeGpuMemoryBytes() > mostMemory.largestFreeGpuMemoryBytes())) {
                    mostMemory = node;
                }
                if (node.gpuCount() > 0 && (largestDevice == null
                        || node.largestGpuMemoryBytes() > largestDevice.largestGpuMemoryBytes())) {
                    largestDevice = node;
                }
            }
            String asked = "needs gpu memory " + Resources.formatBytes(need.gpuMemoryBytes());
            if (mostMemory == null) {
                gpu = asked + ", no node has a GPU";
            } else if (need.gpuMemoryBytes() > largestDevice.largestGpuMemoryBytes()) {
                gpu = asked + ", more than the largest GPU holds (" + Resources.formatBytes(largestDevice.largestGpuMemoryBytes())
                        + " on " + largestDevice.nodeId() + ")";
            } else {
                gpu = asked + ", largest free " + Resources.formatBytes(mostMemory.largestFreeGpuMemoryBytes()) + " on "
                        + mostMemory.nodeId();
            }
            gpuShort = mostMemory == null || need.gpuMemoryBytes() > mostMemory.largestFreeGpuMemoryBytes();
        } else {
            gpu = "needs gpu " + Resources.formatMilli(need.gpuMilli()) + (mostGpu == null
                    ? ", no node has a GPU"
                    : ", largest free " + Resources.formatMilli(mostGpu.largestFreeGpuMilli()) + " on " + mostGpu.nodeId());
            gpuShort = need.gpuMilli() > 0 && (mostGpu == null || need.gpuMilli() > mostGpu.largestFreeGpuMilli());
        }

        boolean cpuShort = need.cpuMilli() > mostCpu.freeCpuMilli();
        List<String> parts = new ArrayList<>();
        if (cpuShort) {
            parts.add(cpu);
        }
        if (gpuShort) {
            parts.add(gpu);
        }
        if (parts.isEmpty()) {
            // Enough CPU and enough GPU exist, only never on the same node.
            parts.add(cpu);
            parts.add(gpu);
            parts.add("no node has both free at once");
        }
        return String.join("; ", parts);
    }
}
