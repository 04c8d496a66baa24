package io.modelserve.agent.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code modelserve_queue_depth} and {@code modelserve_queue_oldest_age_seconds} per deployment: the
 * async queue, cluster-wide, as a head samples it. Sampled from the node's loop (a Hazelcast call
 * per deployment), never from a scrape, so a slow cluster cannot stall {@code /-/metrics}; rows of
 * deployments that are gone disappear at the next sample.
 */
public final class QueueMeters {
    private static final long EVERY_MILLIS = 2_000;

    private final AsyncQueue queue;
    private final MultiGauge depth;
    private final MultiGauge oldestAge;
    private long lastSample = Long.MIN_VALUE / 2;

    public QueueMeters(AsyncQueue queue, MeterRegistry meters) {
        this.queue = queue;
        this.depth = MultiGauge.builder("modelserve.queue.depth")
                .description("Requests waiting in a deployment's async queue, cluster-wide").register(meters);
        this.oldestAge = MultiGauge.builder("modelserve.queue.oldest.age").baseUnit("seconds")
                .description("How long the request next in a deployment's async queue has waited since it was accepted"
                        + " (0 when none waits), cluster-wide").register(meters);
    }

    /** Samples every deployment's queue, at most every 2 s; called from the node's loop thread only. */
    public void sampleIfDue(Collection<String> deployments, long nowMillis) {
        if (nowMillis - lastSample < EVERY_MILLIS) {
            return;
        }
        lastSample = nowMillis;
        List<MultiGauge.Row<?>> depths = new ArrayList<>();
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        for (String deployment : deployments) {
            AsyncQueue.Waiting waiting = queue.waiting(deployment, nowMillis);
            Tags tags = Tags.of("deployment", deployment);
            depths.add(MultiGauge.Row.of(tags, waiting.depth()));
            ages.add(MultiGauge.Row.of(tags, waiting.oldestAgeMillis() / 1_000.0));
        }
        depth.register(depths, true);
        oldestAge.register(ages, true);
    }
}
