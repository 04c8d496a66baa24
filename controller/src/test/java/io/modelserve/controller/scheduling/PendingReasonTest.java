package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.node;
import static io.modelserve.controller.scheduling.Fixtures.request;
import static io.modelserve.controller.scheduling.Fixtures.running;
import static io.modelserve.controller.scheduling.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.sdk.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingReasonTest {

    private static String pendingReason(ReplicaRequest request, ClusterView cluster) {
        PlacementResult result = ReplicaScheduler.place(List.of(request), cluster);
        assertThat(result.placed()).isEmpty();
        return result.pending().get(request.replicaId());
    }

    @Test
    void emptyClusterSaysSo() {
        assertThat(pendingReason(request("a", "llm", "1", "0"), view()))
                .isEqualTo("no nodes in the cluster");
    }

    @Test
    void gpuShortNamesTheLargestFreeDeviceSlot() {
        ClusterView cluster = view(List.of(node("node-a", "8", 1), node("node-b", "8", 2)),
                running("x", "o", "node-a", "0", "0.8", Device.gpu(0, 0.8)),
                running("y", "o", "node-b", "0", "0.9", Device.gpu(0, 0.9)),
                running("z", "o", "node-b", "0", "0.7", Device.gpu(1, 0.7)));

        assertThat(pendingReason(request("a", "llm", "1", "0.5"), cluster))
                .isEqualTo("needs gpu 0.5, largest free 0.3 on node-b");
    }

    @Test
    void gpuFreeSpreadOverDevicesIsNotOneSlot() {
        // 0.4 + 0.4 free on two devices is not 0.8 for one replica.
        ClusterView cluster = view(List.of(node("node-a", "8", 2)),
                running("x", "o", "node-a", "0", "0.6", Device.gpu(0, 0.6)),
                running("y", "o", "node-a", "0", "0.6", Device.gpu(1, 0.6)));

        assertThat(pendingReason(request("a", "llm", "1", "0.8"), cluster))
                .isEqualTo("needs gpu 0.8, largest free 0.4 on node-a");
    }

    @Test
    void cpuShortNamesTheNodeWithMostFreeCpu() {
        ClusterView cluster = view(List.of(node("node-a", "4", 0), node("node-b", "4", 0)),
                running("x", "o", "node-a", "2.5", "0", Device.CPU),
                running("y", "o", "node-b", "3", "0", Device.CPU));

        assertThat(pendingReason(request("a", "llm", "2", "0"), cluster))
                .isEqualTo("needs cpu 2, largest free 1.5 on node-a");
    }

    @Test
    void bothShortReportsBoth() {
        assertThat(pendingReason(request("a", "llm", "16", "0.5"),
                view(List.of(node("node-a", "4", 1)), running("x", "o", "node-a", "0", "0.75", Device.gpu(0, 0.75)))))
                .isEqualTo("needs cpu 16, largest free 4 on node-a; needs gpu 0.5, largest free 0.25 on node-a");
    }

    @Test
    void noGpuAnywhereSaysSo() {
        assertThat(pendingReason(request("a", "llm", "1", "1"), view(node("node-a", "4", 0))))
                .isEqualTo("needs gpu 1, no node has a GPU");
    }

    @Test
    void enoughOfEachButNeverOnOneNode() {
        // node-a has the CPU, node-b the GPU: neither is short alone, so both are named.
        ClusterView cluster = view(node("node-a", "8", 0), node("node-b", "1", 1));

        assertThat(pendingReason(request("a", "llm", "4", "1"), cluster))
                .isEqualTo("needs cpu 4, largest free 8 on node-a; needs gpu 1, largest free 1 on node-b; "
                        + "no node has both free at once");
    }

    @Test
    void overcommittedNodeReportsZeroFreeNotANegativeAmount() {
        // the node restarted with fewer cores than its replicas already use.
        ClusterView cluster = view(List.of(node("node-a", "2", 0)),
                running("x", "o", "node-a", "3", "0", Device.CPU));

        assertThat(pendingReason(request("a", "llm", "1", "0"), cluster))
                .isEqualTo("needs cpu 1, largest free 0 on node-a");
    }
}
