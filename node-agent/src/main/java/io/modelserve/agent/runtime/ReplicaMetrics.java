package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * A replica's meters in the node's registry: its batch sizes, and the plugin's own meters tagged
 * with deployment and replica. Removed from the node's registry when the replica stops, so a node
 * that replaces replicas for days does not accumulate dead series.
 */
public final class ReplicaMetrics {
    private final MeterRegistry node;
    private final CompositeMeterRegistry plugin;
    private final DistributionSummary batchSize;

    public ReplicaMetrics(MeterRegistry node, String deployment, String replicaId) {
        this.node = node;
        Tags tags = Tags.of("deployment", deployment, "replica", replicaId);
        this.plugin = new CompositeMeterRegistry();
        this.plugin.config().commonTags(tags);
        this.plugin.add(node);
        this.batchSize = DistributionSummary.builder("modelserve.batch.size")
                .description("Requests per call of inferenceBatch")
                .tags(tags)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(node);
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
