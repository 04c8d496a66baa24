package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.node;
import static io.modelserve.controller.scheduling.Fixtures.request;
import static io.modelserve.controller.scheduling.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.cluster.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs the scheduler cannot make sense of are refused up front, not half-placed. */
class SchedulingInputTest {

    @Test
    void aReplicaCannotAskForMoreThanOneGpu() {
        assertThatThrownBy(() -> new ReplicaRequest("a", "llm", new Resources(1000, 1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpu 1.5");
    }

    @Test
    void aNodeListedTwiceIsRefused() {
        assertThatThrownBy(() -> view(node("n1", "4", 0), node("n1", "8", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n1");
    }

    @Test
    void aReplicaRequestedTwiceIsRefused() {
        assertThatThrownBy(() -> ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0"), request("a", "llm", "1", "0")), view(node("n1", "4", 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requested twice");
    }

    @Test
    void negativeCapacityIsRefused() {
        assertThatThrownBy(() -> new NodeCapacity("n1", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingMissingMeansAnEmptyPlan() {
        PlacementResult result = ReplicaScheduler.place(List.of(), view(node("n1", "4", 0)));

        assertThat(result.placed()).isEmpty();
        assertThat(result.pending()).isEmpty();
    }

    @Test
    void zeroCostReplicaFitsOnAFullNode() {
        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "probe", "0", "0")),
                view(node("n1", "0", 0)));

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n1");
    }
}
