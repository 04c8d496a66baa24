package io.modelserve.controller.scheduling;

import io.modelserve.sdk.Device;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places missing replicas onto nodes by exact resources: a pure function from (missing replicas,
 * cluster view) to a placement plan, which the controller then applies.
 *
 * <p>It is <b>greedy: it finds a feasible placement, not an optimal one.</b> Requests are placed one
 * at a time in the given order, each placement reducing the free resources seen by the next, and a
 * placement is never revisited; so an early small request can take the device a later big one needed,
 * and that big one stays pending even when a different arrangement would have fit both. Callers who
 * care should order big requests first.
 *
 * <p>For each request it picks, among the nodes where the request fits,
 * <ol>
 *   <li>the node with the fewest replicas of the same deployment (existing allocations and
 *       placements made earlier in this call), so a node loss takes out as few replicas as possible;
 *   <li>then the least utilised node (highest free CPU fraction);
 *   <li>then the lowest nodeId, so the same input always gives the same plan.
 * </ol>
 * On the chosen node a GPU share goes to the device with the least free GPU that still holds it
 * (best fit, lowest index on ties), which packs fractions and keeps whole devices free. A request by
 * memory ({@code gpu_memory}) becomes, on each device, its memory as a share of that device's,
 * rounded up to a thousandth, and is placed and charged as that share.
 *
 * <p>Cost: O(requests x nodes x gpus) time, plus O(allocations) to build the free view;
 * O(nodes x (gpus + deployments)) memory. All arithmetic is in {@code long} milli-units.
 */
public final class ReplicaScheduler {

    private ReplicaScheduler() {
    }

    public static PlacementResult place(List<ReplicaRequest> missing, ClusterView view) {
        List<NodeLedger> nodes = ledgers(view);
        List<Placement> placed = new ArrayList<>();
        Map<String, String> pending = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (ReplicaRequest request : missing) {
            if (!seen.add(request.replicaId())) {
                throw new IllegalArgumentException("replica " + request.replicaId() + " is requested twice");
            }
            NodeLedger node = choose(request, nodes);
            if (node == null) {
                pending.put(request.replicaId(), PendingReason.describe(request.cost(), nodes));
                continue;
            }
            Device device = Device.CPU;
            long gpuMilli = 0;
            if (request.cost().needsGpu()) {
                int index = node.bestFitGpu(request.cost());
                gpuMilli = node.gpuMilliOn(request.cost(), index);
                device = Device.gpu(index, gpuMilli / (double) NodeLedger.GPU_MILLI);
            }
            node.charge(request.deployment(), request.cost().cpuMilli(), device.index(), gpuMilli);
            placed.add(new Placement(request.replicaId(), node.nodeId(), device));
        }
        return new PlacementResult(placed, pending);
    }

    /** Free resources per node, in nodeId order so every tie-break below is deterministic. */
    private static List<NodeLedger> ledgers(ClusterView view) {
        Map<String, NodeLedger> byId = new HashMap<>();
        List<NodeLedger> nodes = new ArrayList<>();
        for (NodeCapacity capacity : view.nodes()) {
            NodeLedger ledger = new NodeLedger(capacity);
            byId.put(capacity.nodeId(), ledger);
            nodes.add(ledger);
        }
        nodes.sort(Comparator.comparing(NodeLedger::nodeId));
        for (Allocation allocation : view.allocations()) {
            NodeLedger ledger = byId.get(allocation.nodeId());
            if (ledger != null) {
                // The share it was placed with: for gpu_memory, what its memory came to on that device.
                Device device = allocation.device();
                ledger.charge(allocation.deployment(), allocation.cost().cpuMilli(), device.index(),
                        device.isGpu() ? Math.round(device.fraction() * NodeLedger.GPU_MILLI) : 0);
            }
        }
        return nodes;
    }

    /** The preferred node where {@code request} fits, or null if it fits nowhere. */
    private static NodeLedger choose(ReplicaRequest request, List<NodeLedger> nodes) {
        Comparator<NodeLedger> preference = Comparator
                .comparingInt((NodeLedger node) -> node.replicasOf(request.deployment()))
                .thenComparing(ReplicaScheduler::moreFreeCpuFirst)
                .thenComparing(NodeLedger::nodeId);
        NodeLedger best = null;
        for (NodeLedger node : nodes) {
            if (node.fits(request.cost()) && (best == null || preference.compare(node, best) < 0)) {
                best = node;
            }
        }
        return best;
    }

    /**
     * Orders by free CPU fraction, highest first, compared exactly: freeA/capA vs freeB/capB becomes
     * freeA*capB vs freeB*capA in 128 bits, so neither rounding nor overflow can reorder nodes.
     * A node without CPU counts as fully used.
     */
    static int moreFreeCpuFirst(NodeLedger a, NodeLedger b) {
        long capA = Math.max(1, a.cpuCapacityMilli());
        long capB = Math.max(1, b.cpuCapacityMilli());
        long freeA = a.cpuCapacityMilli() == 0 ? 0 : a.freeCpuMilli();
        long freeB = b.cpuCapacityMilli() == 0 ? 0 : b.freeCpuMilli();
        return compareProducts(freeB, capA, freeA, capB);
    }

    /** Compares x1*y1 with x2*y2 as signed 128-bit products. */
    private static int compareProducts(long x1, long y1, long x2, long y2) {
        long high1 = Math.multiplyHigh(x1, y1);
        long high2 = Math.multiplyHigh(x2, y2);
        if (high1 != high2) {
            return Long.compare(high1, high2);
        }
        return Long.compareUnsigned(x1 * y1, x2 * y2);
    }
}
