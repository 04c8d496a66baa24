package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.node;
import static io.modelserve.controller.scheduling.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Many nodes and deployments: the plan must be feasible, complete, spread and repeatable. */
class ClusterScaleTest {

    private static final String[] SMALL_GPU_SHARES = {"0", "0", "0.1", "0.2", "0.2"};

    private static List<NodeCapacity> uniformNodes(int count, String cpu, int gpus) {
        List<NodeCapacity> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(node(String.format("node-%02d", i), cpu, gpus));
        }
        return nodes;
    }

    /**
     * 20 deployments x 10 replicas, shuffled with a fixed seed. One replica of every deployment
     * together needs 10 CPU and 2 GPU, which a 16-CPU 4-GPU node always holds whatever the packing,
     * so capacity never forces two replicas of a deployment onto one node.
     */
    private static List<ReplicaRequest> roomyRequests() {
        List<ReplicaRequest> requests = new ArrayList<>();
        for (int d = 0; d < 20; d++) {
            for (int r = 0; r < 10; r++) {
                requests.add(request("dep" + d + "-" + r, "dep" + d, "0.5", SMALL_GPU_SHARES[d % 5]));
            }
        }
        Collections.shuffle(requests, new Random(42));
        return requests;
    }

    @Test
    void fiftyUniformNodesTakeTwoHundredReplicasSpreadEvenly() {
        List<ReplicaRequest> requests = roomyRequests();
        ClusterView cluster = new ClusterView(uniformNodes(50, "16", 4), List.of());

        PlacementResult result = ReplicaScheduler.place(requests, cluster);

        assertThat(result.pending()).isEmpty();
        assertFeasibleAndComplete(requests, cluster, result);
        Map<String, String> deploymentOf = requests.stream()
                .collect(Collectors.toMap(ReplicaRequest::replicaId, ReplicaRequest::deployment));
        for (int d = 0; d < 20; d++) {
            String deployment = "dep" + d;
            Map<String, Long> perNode = new HashMap<>();
            cluster.nodes().forEach(n -> perNode.put(n.nodeId(), 0L));
            result.placed().stream().filter(p -> deploymentOf.get(p.replicaId()).equals(deployment))
                    .forEach(p -> perNode.merge(p.nodeId(), 1L, Long::sum));
            long max = Collections.max(perNode.values());
            long min = Collections.min(perNode.values());
            assertThat(max - min).as("spread of %s", deployment).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void anOverfullClusterStaysWithinCapacityAndLeavesOnlyHopelessRequestsPending() {
        Random random = new Random(7);
        String[] gpuShares = {"0", "0.1", "0.25", "0.3", "0.5", "0.7", "1"};
        List<NodeCapacity> nodes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            nodes.add(new NodeCapacity("node-" + i, 1000L * (2 + random.nextInt(15)), random.nextInt(5)));
        }
        List<ReplicaRequest> requests = new ArrayList<>();
        for (int d = 0; d < 20; d++) {
            for (int r = 0; r < 30; r++) {
                requests.add(new ReplicaRequest("dep" + d + "-" + r, "dep" + d,
                        new Resources(250L * (1 + random.nextInt(8)), Resources.parseMilli(gpuShares[d % gpuShares.length]))));
            }
        }
        ClusterView cluster = new ClusterView(nodes, List.of());

        PlacementResult result = ReplicaScheduler.place(requests, cluster);

        assertThat(result.pending()).isNotEmpty();
        assertThat(result.placed()).isNotEmpty();
        assertFeasibleAndComplete(requests, cluster, result);
        // free resources only shrink during a pass, so what was pending must still fit nowhere.
        ClusterView after = new ClusterView(nodes, asAllocations(requests, cluster, result));
        for (String replicaId : result.pending().keySet()) {
            ReplicaRequest request = requests.stream().filter(q -> q.replicaId().equals(replicaId)).findFirst().orElseThrow();
            assertThat(ReplicaScheduler.place(List.of(request), after).placed()).as(replicaId).isEmpty();
        }
    }

    @Test
    void sameInputGivesTheSamePlanWhateverTheNodeAndAllocationOrder() {
        List<ReplicaRequest> requests = roomyRequests();
        List<NodeCapacity> nodes = uniformNodes(50, "8", 2);
        List<Allocation> running = List.of(
                new Allocation("old-1", "dep3", "node-07", Fixtures.cost("1", "0.5"), Device.gpu(1, 0.5)),
                new Allocation("old-2", "dep4", "node-31", Fixtures.cost("2", "0"), Device.CPU));
        PlacementResult first = ReplicaScheduler.place(requests, new ClusterView(nodes, running));

        List<NodeCapacity> shuffledNodes = new ArrayList<>(nodes);
        Collections.shuffle(shuffledNodes, new Random(1));
        PlacementResult second = ReplicaScheduler.place(requests,
                new ClusterView(shuffledNodes, List.of(running.get(1), running.get(0))));

        assertThat(second).isEqualTo(first);
    }

    @Test
    void aLateNodeMakesRoomForWhatWasPending() {
        List<ReplicaRequest> requests = List.of(
                request("a", "llm", "1", "1"), request("b", "llm", "1", "1"), request("c", "llm", "1", "1"));
        ClusterView small = new ClusterView(List.of(node("n1", "8", 2)), List.of());
        PlacementResult first = ReplicaScheduler.place(requests, small);
        assertThat(first.pending()).containsOnlyKeys("c");

        // next pass: the first placements now run, and n2 has joined.
        List<ReplicaRequest> stillMissing = List.of(requests.get(2));
        ClusterView bigger = new ClusterView(List.of(node("n1", "8", 2), node("n2", "8", 1)),
                asAllocations(requests, small, first));
        PlacementResult second = ReplicaScheduler.place(stillMissing, bigger);

        assertThat(second.pending()).isEmpty();
        assertThat(second.placed()).containsExactly(new Placement("c", "n2", Device.gpu(0, 1.0)));
    }

    /** Every request is placed or pending, never both; no node goes over on CPU or any device. */
    private static void assertFeasibleAndComplete(List<ReplicaRequest> requests, ClusterView cluster,
            PlacementResult result) {
        Set<String> placedIds = new HashSet<>();
        result.placed().forEach(p -> placedIds.add(p.replicaId()));
        assertThat(placedIds).as("each replica placed once").hasSize(result.placed().size());
        assertThat(result.pending().keySet()).as("placed and pending are disjoint").noneMatch(placedIds::contains);
        assertThat(placedIds.size() + result.pending().size()).isEqualTo(requests.size());

        Map<String, NodeCapacity> nodes = cluster.nodes().stream()
                .collect(Collectors.toMap(NodeCapacity::nodeId, Function.identity()));
        Map<String, Long> cpuUsed = new HashMap<>();
        Map<String, Long> gpuUsed = new HashMap<>();
        for (Allocation a : asAllocations(requests, cluster, result)) {
            cpuUsed.merge(a.nodeId(), a.cost().cpuMilli(), Long::sum);
            if (a.device().isGpu()) {
                assertThat(a.device().index()).isLessThan(nodes.get(a.nodeId()).gpus());
                assertThat(a.device().fraction()).isEqualTo(a.cost().gpuMilli() / 1000.0);
                gpuUsed.merge(a.nodeId() + "/" + a.device().index(), a.cost().gpuMilli(), Long::sum);
            } else {
                assertThat(a.cost().gpuMilli()).isZero();
            }
        }
        cpuUsed.forEach((node, used) -> assertThat(used).as("cpu on %s", node).isLessThanOrEqualTo(nodes.get(node).cpuMilli()));
        gpuUsed.forEach((device, used) -> assertThat(used).as("gpu %s", device).isLessThanOrEqualTo(1000L));
    }

    /** The view's allocations plus this result's placements, as the next pass would see them. */
    private static List<Allocation> asAllocations(List<ReplicaRequest> requests, ClusterView cluster,
            PlacementResult result) {
        Map<String, ReplicaRequest> byId = requests.stream()
                .collect(Collectors.toMap(ReplicaRequest::replicaId, Function.identity()));
        List<Allocation> all = new ArrayList<>(cluster.allocations());
        for (Placement p : result.placed()) {
            ReplicaRequest request = byId.get(p.replicaId());
            all.add(new Allocation(p.replicaId(), request.deployment(), p.nodeId(), request.cost(), p.device()));
        }
        return all;
    }
}
