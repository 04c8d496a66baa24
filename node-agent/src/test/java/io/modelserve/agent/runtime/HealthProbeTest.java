package io.modelserve.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.testing.ManualTicker;
import io.modelserve.agent.testing.ScriptedBackend;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** healthy() polled on the ticker, with the reason a replica is replaced. */
class HealthProbeTest {
    private final ManualTicker ticker = new ManualTicker();
    private final Watchdog watchdog = new Watchdog(ticker, 1_000);
    private final HealthProbe probe = new HealthProbe(ticker, watchdog);

    @Test
    void dueOneIntervalAfterCreationAndAfterEachProbe() {
        assertThat(probe.due()).isFalse();
        ticker.advance(HealthProbe.INTERVAL_NANOS - 1, TimeUnit.NANOSECONDS);
        assertThat(probe.due()).isFalse();
        ticker.advance(1, TimeUnit.NANOSECONDS);
        assertThat(probe.due()).isTrue();

        assertThat(probe.probe(ScriptedBackend.upperCase())).isEmpty();

        assertThat(probe.due()).isFalse();
        ticker.advance(HealthProbe.INTERVAL_NANOS, TimeUnit.NANOSECONDS);
        assertThat(probe.due()).isTrue();
    }

    @Test
    void saysWhyWhenThePluginIsNotHealthy() {
        assertThat(probe.probe(ScriptedBackend.upperCase().health(() -> false))).contains("healthy() returned false");
        assertThat(probe.probe(ScriptedBackend.upperCase().health(() -> {
            throw new IllegalStateException("GPU lost");
        }))).contains("healthy() threw GPU lost");
    }

    @Test
    void theProbeIsAWatchedCall() {
        AtomicBoolean watched = new AtomicBoolean();
        probe.probe(ScriptedBackend.upperCase().health(() -> {
            ticker.advanceMillis(6_000);
            watched.set(watchdog.hang().orElse("").startsWith("healthy() did not return"));
            return true;
        }));
        assertThat(watched).isTrue();
        assertThat(watchdog.busyForNanos()).isZero();
    }
}
