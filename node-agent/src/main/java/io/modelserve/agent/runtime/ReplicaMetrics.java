package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
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

    public ReplicaMetrics(MeterRegistry node, String deployment, String replicaId) {
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
    }
}
