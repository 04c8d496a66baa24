package io.modelserve.controller.dashboard;

import io.modelserve.cluster.NodeStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the request counters of every node's {@code /-/metrics} into one traffic point per
 * deployment per call: the Timer {@code modelserve.requests} is cumulative, so throughput and
 * latency quantiles over an interval come from the difference of two scrapes, summed over nodes
 * and replicas (as Prometheus' {@code rate} and {@code histogram_quantile} would).
 *
 * <p>Called from one thread only (the dashboard's sampling loop).
 */
public final class TrafficSampler {
    private static final Logger log = LoggerFactory.getLogger(TrafficSampler.class);
    static final String COUNT = "modelserve_requests_seconds_count";
    static final String BUCKET = "modelserve_requests_seconds_bucket";
    static final String BATCH_SUM = "modelserve_batch_size_sum";
    static final String BATCH_COUNT = "modelserve_batch_size_count";
    static final String IN_FLIGHT = "modelserve_replica_inflight";
    static final String QUEUE_DEPTH = "modelserve_replica_queue_depth";
    // Where a request's time went on its replica: waiting for the plugin's turn, then in the plugin.
    static final String QUEUE_WAIT_SUM = "modelserve_replica_queue_wait_seconds_sum";
    static final String QUEUE_WAIT_COUNT = "modelserve_replica_queue_wait_seconds_count";
    static final String COMPUTE_SUM = "modelserve_replica_compute_seconds_sum";
    static final String COMPUTE_COUNT = "modelserve_replica_compute_seconds_count";

    private final Supplier<? extends Collection<NodeStatus>> nodes;
    private final Supplier<? extends Collection<String>> deployments;
    private final Function<NodeStatus, String> scrape;
    private final LongSupplier clock;
    private final TrafficHistory history;
    private final Map<String, Map<String, PrometheusText.Sample>> previous = new HashMap<>(); // node -> series -> sample
    private long previousAt;

    /**
     * @param scrape returns a node's metrics text, or throws when the node does not answer
     */
    public TrafficSampler(Supplier<? extends Collection<NodeStatus>> nodes, Supplier<? extends Collection<String>> deployments,
            Function<NodeStatus, String> scrape, LongSupplier clock, TrafficHistory history) {
        this.nodes = nodes;
        this.deployments = deployments;
        this.scrape = scrape;
        this.clock = clock;
        this.history = history;
    }

    /** Scrapes every node once and appends a point per deployment (from the second call on). */
    public void sample() {
        long now = clock.getAsLong();
        Map<String, Interval> intervals = new HashMap<>();
        Set<String> seenNodes = new HashSet<>();
        Map<String, TrafficHistory.ReplicaLoad> load = new HashMap<>();
        for (NodeStatus node : nodes.get()) {
            Map<String, PrometheusText.Sample> current;
            try {
                current = requestSeries(scrape.apply(node), load);
            } catch (RuntimeException e) {
                // A node that does not answer keeps its last baseline; its traffic shows up later.
                log.debug("dashboard: cannot scrape {}: {}", node.nodeId(), e.toString());
                seenNodes.add(node.nodeId());
                continue;
            }
            seenNodes.add(node.nodeId());
            Map<String, PrometheusText.Sample> before = previous.put(node.nodeId(), current);
            if (before == null) {
                continue; // first scrape of this node: a baseline, not an interval
            }
            for (PrometheusText.Sample sample : current.values()) {
                PrometheusText.Sample old = before.get(sample.series());
                double delta = old == null || sample.value() < old.value() ? sample.value() : sample.value() - old.value();
                if (delta <= 0) {
                    continue;
                }
                Interval interval = intervals.computeIfAbsent(sample.label("deployment"), d -> new Interval());
                switch (sample.name()) {
                    case COUNT -> {
                        interval.requests += delta;
                        int status = statusOf(sample.label("status"));
                        interval.errors += status >= 400 ? delta : 0;
                        interval.serverErrors += status >= 500 ? delta : 0;
                    }
                    case BATCH_SUM -> interval.batchedRequests += delta;
                    case BATCH_COUNT -> interval.batches += delta;
                    case QUEUE_WAIT_SUM -> interval.queueWaitSeconds += delta;
                    case QUEUE_WAIT_COUNT -> interval.queueWaits += delta;
                    case COMPUTE_SUM -> interval.computeSeconds += delta;
                    case COMPUTE_COUNT -> interval.computes += delta;
                    default -> interval.buckets.merge(parseLe(sample.label("le")), delta, Double::sum);
                }
            }
        }
        previous.keySet().retainAll(seenNodes);
        history.setReplicaLoad(load);
        long elapsed = now - previousAt;
        boolean first = previousAt == 0;
        previousAt = now;
        Collection<String> names = deployments.get();
        history.retain(names);
        if (first || elapsed <= 0) {
            return;
        }
        double seconds = elapsed / 1000.0;
        Interval all = new Interval();
        for (String deployment : names) {
            Interval interval = intervals.getOrDefault(deployment, new Interval());
            history.add(deployment, interval.point(now, seconds));
            all.add(interval);
        }
        history.addCluster(all.point(now, seconds));
    }

    /** Requests answered and latency buckets of one deployment within one interval. */
    private static final class Interval {
        double requests;
        double errors;
        double serverErrors;
        double batchedRequests;
        double batches;
        double queueWaitSeconds;
        double queueWaits;
        double computeSeconds;
        double computes;
        final TreeMap<Double, Double> buckets = new TreeMap<>();

        /** Adds another deployment's interval: counts sum, and so do cumulative buckets of equal bounds. */
        void add(Interval other) {
            requests += other.requests;
            errors += other.errors;
            serverErrors += other.serverErrors;
            batchedRequests += other.batchedRequests;
            batches += other.batches;
            queueWaitSeconds += other.queueWaitSeconds;
            queueWaits += other.queueWaits;
            computeSeconds += other.computeSeconds;
            computes += other.computes;
            other.buckets.forEach((le, count) -> buckets.merge(le, count, Double::sum));
        }

        TrafficHistory.Point point(long now, double seconds) {
            return new TrafficHistory.Point(now, requests / seconds, errors / seconds, serverErrors / seconds,
                    toMillis(quantile(buckets, 0.50)), toMillis(quantile(buckets, 0.99)),
                    batches > 0 ? batchedRequests / batches : null,
                    mean(queueWaitSeconds, queueWaits), mean(computeSeconds, computes));
        }

        /** Mean ms of a histogram's interval (sum and count deltas), or null when nothing was recorded. */
        private static Double mean(double seconds, double count) {
            return count > 0 ? seconds * 1000 / count : null;
        }
    }

    /** The cumulative request and batch series of a scrape; the replicas' load gauges go to {@code load}. */
    private static Map<String, PrometheusText.Sample> requestSeries(String text, Map<String, TrafficHistory.ReplicaLoad> load) {
        Map<String, PrometheusText.Sample> series = new HashMap<>();
        for (PrometheusText.Sample sample : PrometheusText.parse(text)) {
            switch (sample.name()) {
                case COUNT, BUCKET, BATCH_SUM, BATCH_COUNT, QUEUE_WAIT_SUM, QUEUE_WAIT_COUNT, COMPUTE_SUM, COMPUTE_COUNT ->
                        series.put(sample.series(), sample);
                case IN_FLIGHT, QUEUE_DEPTH -> {
                    String replica = sample.label("replica");
                    if (!replica.isEmpty()) {
                        TrafficHistory.ReplicaLoad was = load.getOrDefault(replica,
                                new TrafficHistory.ReplicaLoad(replica, sample.label("deployment"), 0, 0));
                        load.put(replica, sample.name().equals(IN_FLIGHT)
                                ? new TrafficHistory.ReplicaLoad(replica, was.deployment(), sample.value(), was.queued())
                                : new TrafficHistory.ReplicaLoad(replica, was.deployment(), was.inFlight(), sample.value()));
                    }
                }
                default -> { }
            }
        }
        return series;
    }

    private static int statusOf(String status) {
        try {
            return Integer.parseInt(status);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double parseLe(String le) {
        return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    /**
     * The q-quantile of cumulative bucket counts (upper bound -> count at or below it), interpolated
     * linearly within the bucket as Prometheus' {@code histogram_quantile} does; null without data.
     */
    static Double quantile(TreeMap<Double, Double> cumulative, double q) {
        Double total = cumulative.get(Double.POSITIVE_INFINITY);
        if (total == null || total <= 0) {
            total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        }
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            double count = bucket.getValue();
            if (count >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lowerBound; // the quantile lies above the highest finite bound
                }
                double inBucket = count - lowerCount;
                return inBucket <= 0 ? bucket.getKey()
                        : lowerBound + (bucket.getKey() - lowerBound) * ((rank - lowerCount) / inBucket);
            }
            lowerBound = bucket.getKey();
            lowerCount = count;
        }
        return lowerBound;
    }

    private static Double toMillis(Double seconds) {
        return seconds == null ? null : seconds * 1000.0;
    }
}
