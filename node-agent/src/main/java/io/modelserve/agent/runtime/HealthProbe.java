package io.modelserve.agent.runtime;

import io.modelserve.sdk.AlgoBackend;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks the plugin {@code healthy()} every {@link #INTERVAL_NANOS} between requests, on the worker
 * thread (plugins need not be thread-safe). A replica that says no, or throws, is replaced.
 */
public final class HealthProbe {
    public static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Ticker ticker;
    private final Watchdog watchdog;
    private long nextCheck;

    public HealthProbe(Ticker ticker, Watchdog watchdog) {
        this.ticker = ticker;
        this.watchdog = watchdog;
        this.nextCheck = ticker.nanos() + INTERVAL_NANOS;
    }

    public boolean due() {
        return ticker.nanos() - nextCheck >= 0;
    }

    /** Probes now: empty when healthy, else why not. The next probe is due one interval later. */
    public Optional<String> probe(AlgoBackend backend) {
        watchdog.enter("healthy");
        try {
            return backend.healthy() ? Optional.empty() : Optional.of("healthy() returned false");
        } catch (Throwable t) {
            return Optional.of("healthy() threw " + BackendFailure.describe(t));
        } finally {
            watchdog.leave();
            nextCheck = ticker.nanos() + INTERVAL_NANOS;
        }
    }
}
