package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.GpuDevice;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code gpu_memory = 6g}: a share of the device by its memory, checked against the device's total. */
class GpuMemoryPlacementTest {
    private static final long GIB = 1L << 30;

    private static NodeCapacity node(String id, long... deviceGib) {
        List<Long> memory = java.util.Arrays.stream(deviceGib).map(g -> g * GIB).boxed().toList();
        return new NodeCapacity(id, 8_000, memory.size(), memory);
    }

    private static ReplicaRequest memory(String id, long gib) {
        return new ReplicaRequest(id, "llm", new Resources(1_000, 0, gib * GIB));
    }

    @Test
    void sixOfSixteenGigabytesIsThreeEighthsOfTheDeviceAndTwoShareIt() {
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 6), memory("b", 6)), view(node("n1", 16)));

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(0, 0.375)),
                new Placement("b", "n1", Device.gpu(0, 0.375)));
    }

    @Test
    void theShareIsRoundedUpSoADeviceIsNeverPromisedMoreThanItHolds() {
        // 5g of 24g = 0.20833..: 0.209, never 0.208.
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 5)), view(node("n1", 24)));

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(0, 0.209)));
    }

    @Test
    void aThirdOnTheSameDeviceWaitsNamingTheMemoryLeft() {
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 6), memory("b", 6), memory("c", 6)),
                view(node("n1", 16)));

        assertThat(result.placed()).hasSize(2);
        assertThat(result.pending()).containsEntry("c", "needs gpu memory 6g, largest free 4g on n1");
    }

    @Test
    void moreThanTheLargestDeviceHoldsIsPendingSayingSo() {
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 24)), view(node("n1", 16, 16), node("n2", 20)));

        assertThat(result.pending()).containsEntry("a", "needs gpu memory 24g, more than the largest GPU holds (20g on n2)");
    }

    @Test
    void itGoesWhereItFitsOnDevicesOfDifferentSizes() {
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 20)), view(node("n1", 16, 80)));

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.gpu(1, 0.25)));
    }

    @Test
    void aRunningReplicaHoldsTheShareItWasPlacedWith() {
        Allocation running = new Allocation("a", "llm", "n1", new Resources(1_000, 0, 6 * GIB), Device.gpu(0, 0.375));

        PlacementResult result = ReplicaScheduler.place(List.of(new ReplicaRequest("b", "llm", new Resources(1_000, 700))),
                view(List.of(node("n1", 16)), running));

        assertThat(result.pending()).containsEntry("b", "needs gpu 0.7, largest free 0.625 on n1");
    }

    @Test
    void aNodeThatDoesNotSayItsMemoryTakesNoMemoryRequest() {
        PlacementResult result = ReplicaScheduler.place(List.of(memory("a", 1)), view(new NodeCapacity("old", 8_000, 1)));

        assertThat(result.placed()).isEmpty();
        assertThat(result.pending()).containsKey("a");
    }

    @Test
    void aNodeEntryGivesTheMemoryOfEachDevice() {
        NodeStatus status = new NodeStatus("n1", "uuid", "10.0.0.1", "http://10.0.0.1:8000", 8_000, 2, false, 0, null,
                List.of(new GpuDevice(0, "NVIDIA L4", 23 * GIB, false), new GpuDevice(1, "NVIDIA L4", 23 * GIB, false)));

        assertThat(NodeCapacity.of(status).gpuMemoryBytes()).containsExactly(23 * GIB, 23 * GIB);
    }
}
