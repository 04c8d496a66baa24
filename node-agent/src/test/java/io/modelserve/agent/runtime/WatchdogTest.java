package io.modelserve.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.testing.ManualTicker;
import org.junit.jupiter.api.Test;

/** When a plugin call counts as hung, and the reason names the call. */
class WatchdogTest {
    private final ManualTicker ticker = new ManualTicker();
    private final Watchdog watchdog = new Watchdog(ticker, 1_000);

    @Test
    void idleIsNeverHung() {
        ticker.advanceMillis(1_000_000);
        assertThat(watchdog.busyForNanos()).isZero();
        assertThat(watchdog.hang()).isEmpty();
    }

    @Test
    void aCallIsHungAfterTwiceTimeoutAtLeastFiveSeconds() {
        watchdog.enter("inferenceBatch");
        ticker.advanceMillis(5_000);
        assertThat(watchdog.hang()).isEmpty();
        assertThat(watchdog.busyForNanos()).isEqualTo(5_000_000_000L);

        ticker.advanceMillis(1);

        assertThat(watchdog.hang()).contains("inferenceBatch() did not return within 5000 ms (twice timeout_ms, at least 5 s)");
    }

    @Test
    void twiceALongTimeoutIsTheLimit() {
        Watchdog slow = new Watchdog(ticker, 60_000);
        assertThat(slow.limitMillis("inference")).isEqualTo(120_000);
        assertThat(slow.limitMillis("init")).isEqualTo(Watchdog.INIT_LIMIT_MS);
        assertThat(new Watchdog(ticker, 200_000).limitMillis("init")).isEqualTo(400_000);
    }

    @Test
    void aHungInitIsCaughtWithItsOwnLimitAndName() {
        watchdog.enter("init");
        ticker.advanceMillis(Watchdog.INIT_LIMIT_MS);
        assertThat(watchdog.hang()).isEmpty();

        ticker.advanceMillis(1);

        assertThat(watchdog.hang()).contains("init() did not return within 300000 ms");
    }

    @Test
    void aStreamThatKeepsEmittingIsNotHung() {
        watchdog.enter("inferenceStream");
        for (int i = 0; i < 10; i++) {
            ticker.advanceMillis(4_000);
            watchdog.touch();
        }
        assertThat(watchdog.hang()).isEmpty();
        ticker.advanceMillis(5_001);
        assertThat(watchdog.hang()).hasValueSatisfying(reason -> assertThat(reason).startsWith("inferenceStream() did not return"));
    }

    @Test
    void leavingEndsTheCall() {
        watchdog.enter("inference");
        ticker.advanceMillis(10_000);
        watchdog.leave();
        assertThat(watchdog.hang()).isEmpty();
        assertThat(watchdog.busyForNanos()).isZero();
    }
}
