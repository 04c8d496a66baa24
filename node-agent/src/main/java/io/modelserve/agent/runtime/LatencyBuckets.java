package io.modelserve.agent.runtime;

import java.time.Duration;

/**
 * The latency buckets of every modelserve timer: by default 12 from 1 ms to 5 s, where a serving SLO
 * is read; {@code latency_buckets_ms} in {@code [MODEL SERVE]} sets others, for timers made after it applied.
 * Micrometer's percentile histogram had 69 per series, and recording into it was ~8% of a no-op
 * request's CPU in JFR; quantiles from these are as coarse as the buckets, which is what a
 * Prometheus {@code histogram_quantile} reads anyway.
 */
public final class LatencyBuckets {
    public static final Duration[] DEFAULT = of(io.modelserve.cluster.ServeSettings.Telemetry.DEFAULT_BUCKETS_MS);

    /** {@code latency_buckets_ms} as the durations a timer's service-level objectives take. */
    public static Duration[] of(java.util.List<Double> millis) {
        return millis.stream().map(ms -> Duration.ofNanos(Math.round(ms * 1_000_000))).toArray(Duration[]::new);
    }

    private LatencyBuckets() {}
}
