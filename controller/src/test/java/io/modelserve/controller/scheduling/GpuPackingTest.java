package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.node;
import static io.modelserve.controller.scheduling.Fixtures.request;
import static io.modelserve.controller.scheduling.Fixtures.running;
import static io.modelserve.controller.scheduling.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.sdk.Device;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuPackingTest {

    @Test
    void twoHalvesShareOneDevice() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0.5"), request("b", "llm", "1", "0.5")),
                view(node("n1", "8", 2)));

        assertThat(result.pending()).isEmpty();
        assertThat(result.placed()).containsExactly(
                new Placement("a", "n1", Device.gpu(0, 0.5)),
                new Placement("b", "n1", Device.gpu(0, 0.5)));
    }

    @Test
    void sevenTenthsAndAHalfNeedTwoDevices() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0.7"), request("b", "llm", "1", "0.5")),
                view(node("n1", "8", 2)));

        assertThat(result.placed()).containsExactly(
                new Placement("a", "n1", Device.gpu(0, 0.7)),
                new Placement("b", "n1", Device.gpu(1, 0.5)));
    }

    @Test
    void sevenTenthsAndAHalfOnOneDeviceLeaveTheHalfPending() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0.7"), request("b", "llm", "1", "0.5")),
                view(node("n1", "8", 1)));

        assertThat(result.placed()).extracting(Placement::replicaId).containsExactly("a");
        assertThat(result.pending()).containsEntry("b", "needs gpu 0.5, largest free 0.3 on n1");
    }

    @Test
    void pointOneAndPointTwoFitExactlyInPointThree() {
        // 0.1 + 0.2 > 0.3 in double arithmetic; in milli-units it is exactly 300.
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "0.1", "0.1"), request("b", "llm", "0.2", "0.2")),
                view(List.of(node("n1", "0.3", 1)), running("old", "other", "n1", "0", "0.7", Device.gpu(0, 0.7))));

        assertThat(result.pending()).isEmpty();
        assertThat(result.placed()).extracting(Placement::device)
                .containsExactly(Device.gpu(0, 0.1), Device.gpu(0, 0.2));
    }

    @Test
    void threeHalvesOnOneGpuPlaceTwo() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "0", "0.5"), request("b", "llm", "0", "0.5"),
                        request("c", "llm", "0", "0.5")),
                view(node("n1", "4", 1)));

        assertThat(result.placed()).extracting(Placement::replicaId).containsExactly("a", "b");
        assertThat(result.pending()).containsOnlyKeys("c");
    }

    @Test
    void bestFitPicksTheFullestDeviceThatStillFits() {
        // free: gpu0 1.0, gpu1 0.4, gpu2 0.3, gpu3 0.6 -> a 0.3 request goes to gpu2, keeping gpu0 whole.
        ClusterView cluster = view(List.of(node("n1", "16", 4)),
                running("x", "other", "n1", "0", "0.6", Device.gpu(1, 0.6)),
                running("y", "other", "n1", "0", "0.7", Device.gpu(2, 0.7)),
                running("z", "other", "n1", "0", "0.4", Device.gpu(3, 0.4)));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0.3")), cluster);

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(2, 0.3)));
    }

    @Test
    void bestFitSkipsDevicesTooSmallAndBreaksTiesByLowestIndex() {
        // free: gpu0 0.2, gpu1 0.5, gpu2 0.5 -> 0.4 does not fit gpu0; gpu1 and gpu2 tie, gpu1 wins.
        ClusterView cluster = view(List.of(node("n1", "16", 3)),
                running("x", "other", "n1", "0", "0.8", Device.gpu(0, 0.8)),
                running("y", "other", "n1", "0", "0.5", Device.gpu(1, 0.5)),
                running("z", "other", "n1", "0", "0.5", Device.gpu(2, 0.5)));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0.4")), cluster);

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(1, 0.4)));
    }

    @Test
    void smallFractionsLeaveAWholeDeviceForABigRequest() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("s1", "small", "0", "0.25"), request("s2", "small", "0", "0.25"),
                        request("big", "big", "0", "1")),
                view(node("n1", "4", 2)));

        assertThat(result.pending()).isEmpty();
        assertThat(result.placed()).extracting(Placement::device)
                .containsExactly(Device.gpu(0, 0.25), Device.gpu(0, 0.25), Device.gpu(1, 1.0));
    }

    @Test
    void cpuOnlyReplicaGetsTheCpuDeviceAndTakesNoGpu() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("cpu", "tok", "1", "0"), request("gpu", "llm", "1", "1")),
                view(node("n1", "4", 1)));

        assertThat(result.placed()).containsExactly(
                new Placement("cpu", "n1", Device.CPU),
                new Placement("gpu", "n1", Device.gpu(0, 1.0)));
    }

    @Test
    void cpuFractionsAddUpExactly() {
        // ten replicas of 0.1 CPU fill exactly one core; the eleventh does not fit.
        List<ReplicaRequest> requests = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            requests.add(request("r" + i, "tok", "0.1", "0"));
        }

        PlacementResult result = ReplicaScheduler.place(requests, view(node("n1", "1", 0)));

        assertThat(result.placed()).hasSize(10);
        assertThat(result.pending()).containsOnlyKeys("r10");
        assertThat(result.pending().get("r10")).isEqualTo("needs cpu 0.1, largest free 0 on n1");
    }

    @Test
    void allocationOnAGpuTheNodeNoLongerHasIsNotCharged() {
        // The node came back with one GPU; an allocation recorded on gpu 1 must not break the pass.
        ClusterView cluster = view(List.of(node("n1", "4", 1)),
                running("old", "llm", "n1", "1", "1", Device.gpu(1, 1.0)));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "1")), cluster);

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(0, 1.0)));
    }
}
