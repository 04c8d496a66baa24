package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's meters in the node's registry: its batch sizes, and the plugin's own meters tagged
 * with deployment, replica and instance. Removed from the node's registry when the replica stops, so
 * a node that replaces replicas for days does not accumulate dead series.
 *
 * <p>A restarted replica keeps its replica id, so each instance gets its own {@code instance} tag:
 * the meters of an abandoned worker that finally returns and closes are its own, never those of the
 * replica that replaced it.
 */
public final class ReplicaMetrics {
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final String instanceId;
    private final MeterRegistry node;
    private final CompositeMeterRegistry plugin;
    private final DistributionSummary batchSize;
    private final Timer queueWait;
    private final Timer compute;

    public ReplicaMetrics(MeterRegistry node, String deployment, String replicaId) {
        this(node, deployment, replicaId, LatencyBuckets.DEFAULT);
    }

    /** @param buckets the upper bounds of its queue-wait and compute histograms ({@code latency_buckets_ms}) */
    public ReplicaMetrics(MeterRegistry node, String deployment, String replicaId, java.time.Duration[] buckets) {
        this.node = node;
        this.instanceId = replicaId + "#" + INSTANCES.incrementAndGet();
        Tags tags = Tags.of("deployment", deployment, "replica", replicaId, "instance", instanceId);
        this.plugin = new CompositeMeterRegistry();
        this.plugin.config().commonTags(tags);
        this.plugin.add(node);
        this.batchSize = DistributionSummary.builder("modelserve.batch.size")
                .description("Requests per call of inferenceBatch")
                .tags(tags)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(node);
        // Where a request's time went inside the replica: waiting for its turn, then in the plugin.
        this.queueWait = Timer.builder("modelserve.replica.queue.wait")
                .description("Time a request waited in the replica before the plugin began on it (0 when it found the replica idle)")
                .tags(tags).serviceLevelObjectives(buckets).register(node);
        this.compute = Timer.builder("modelserve.replica.compute")
                .description("Time the plugin call that answered a request took (a batch's call, for each request in it)")
                .tags(tags).serviceLevelObjectives(buckets).register(node);
    }

    /** {@code jobs} ran in one plugin call from {@code beganNanos} for {@code computeNanos} ({@link System#nanoTime()}). */
    void recordRun(java.util.List<Job> jobs, long beganNanos, long computeNanos) {
        for (Job job : jobs) {
            queueWait.record(Math.max(0, beganNanos - job.createdNanos()), TimeUnit.NANOSECONDS);
            compute.record(computeNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Unique on this node for the life of its process. */
    public String instanceId() {
        return instanceId;
    }

    /** What {@code BackendContext.metrics()} returns. */
    public MeterRegistry pluginRegistry() {
        return plugin;
    }

    void recordBatch(int size) {
        batchSize.record(size);
    }

    void close() {
        for (Meter meter : plugin.getMeters()) {
            node.remove(meter.getId());
        }
        plugin.remove(node); // closing a composite closes its children, and a closed registry takes no new meters
        plugin.close();
        node.remove(batchSize);
        node.remove(queueWait);
        node.remove(compute);
    }
}
