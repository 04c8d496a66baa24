package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemandSignalTest {
    private final ManualClock clock = new ManualClock(5_000);
    private final List<String> written = new ArrayList<>();
    private final DemandSignal demand = new DemandSignal((deployment, at) -> written.add(deployment + "@" + at), clock);

    @Test
    void manyWaitingRequestsAreOneWriteASecondPerDeployment() {
        for (int i = 0; i < 50; i++) {
            demand.accept("Zero");
            demand.accept("Other");
            clock.advance(10);
        }
        clock.advance(500);
        demand.accept("Zero");

        assertThat(written).containsExactly("Zero@5000", "Other@5000", "Zero@6000");
    }

    @Test
    void aClusterThatCannotBeWrittenDoesNotFailTheRequest() {
        DemandSignal failing = new DemandSignal((d, at) -> { throw new IllegalStateException("cluster gone"); }, clock);
        failing.accept("Zero");
    }
}
