package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.modelserve.cluster.NodeStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TrafficSamplerTest {
    private static final NodeStatus ONE = new NodeStatus("node-1", "u1", "127.0.0.1", "http://127.0.0.1:1", 1000, 0, true, 0);
    private static final NodeStatus TWO = new NodeStatus("node-2", "u2", "127.0.0.2", "http://127.0.0.2:1", 1000, 0, false, 0);

    private final Map<String, String> texts = new HashMap<>();
    private final AtomicLong clock = new AtomicLong(10_000);
    private final TrafficHistory history = new TrafficHistory(450);
    private final TrafficSampler sampler = new TrafficSampler(() -> List.of(ONE, TWO), () -> List.of("A", "B"), node -> {
        String text = texts.get(node.nodeId());
        if (text == null) {
            throw new IllegalStateException("down");
        }
        return text;
    }, clock::get, history);

    /** A node's scrape: {@code fast} answers under 10 ms and {@code slow} between 0.1 and 0.5 s, all of deployment A. */
    private static String scrape(String replica, int status, int fast, int slow) {
        return """
                # TYPE modelserve_requests_seconds histogram
                modelserve_requests_seconds_bucket{deployment="A",replica="%1$s",status="%2$d",le="0.01",} %3$d
                modelserve_requests_seconds_bucket{deployment="A",replica="%1$s",status="%2$d",le="0.1",} %3$d
                modelserve_requests_seconds_bucket{deployment="A",replica="%1$s",status="%2$d",le="0.5",} %4$d
                modelserve_requests_seconds_bucket{deployment="A",replica="%1$s",status="%2$d",le="+Inf",} %4$d
                modelserve_requests_seconds_count{deployment="A",replica="%1$s",status="%2$d",} %4$d
                jvm_threads_live_threads 20
                """.formatted(replica, status, fast, fast + slow);
    }

    @Test
    void throughputIsTheDifferenceOfTwoScrapesSummedOverNodes() {
        texts.put("node-1", scrape("r1", 200, 10, 0));
        texts.put("node-2", scrape("r2", 200, 0, 0));
        sampler.sample();
        assertThat(history.points("A")).as("the first scrape is a baseline").isEmpty();

        texts.put("node-1", scrape("r1", 200, 30, 0));   // +20 fast
        texts.put("node-2", scrape("r2", 200, 0, 20));   // +20 slow
        clock.addAndGet(2_000);
        sampler.sample();

        TrafficHistory.Point point = history.points("A").getLast();
        assertThat(point.rps()).isEqualTo(20.0);
        assertThat(point.errorRps()).isZero();
        assertThat(point.p50Ms()).isCloseTo(10.0, within(0.001)); // the 20th of 40 is the last fast one
        assertThat(point.p99Ms()).isBetween(100.0, 500.0);
        assertThat(history.points("B")).singleElement().satisfies(b -> {
            assertThat(b.rps()).isZero();
            assertThat(b.p50Ms()).isNull();
        });
    }

    @Test
    void errorsNewSeriesAndCounterResetsAreCounted() {
        texts.put("node-1", scrape("r1", 200, 10, 0));
        sampler.sample();
        // r1 restarted (its series reset to 4) and a 503 series appeared with 6 answers.
        texts.put("node-1", scrape("r1", 200, 4, 0) + scrape("r1", 503, 6, 0).lines()
                .filter(l -> !l.startsWith("#") && !l.startsWith("jvm")).reduce("", (a, b) -> a + b + "\n"));
        clock.addAndGet(1_000);
        sampler.sample();
        TrafficHistory.Point point = history.points("A").getLast();
        assertThat(point.rps()).isEqualTo(10.0);
        assertThat(point.errorRps()).isEqualTo(6.0);
    }

    /** A replica's queue-wait and compute histograms: sums in seconds over {@code count} requests. */
    private static String split(String replica, double waitSeconds, double computeSeconds, int count) {
        return """
                modelserve_replica_queue_wait_seconds_sum{deployment="A",instance="i1",replica="%1$s",} %2$s
                modelserve_replica_queue_wait_seconds_count{deployment="A",instance="i1",replica="%1$s",} %4$d
                modelserve_replica_compute_seconds_sum{deployment="A",instance="i1",replica="%1$s",} %3$s
                modelserve_replica_compute_seconds_count{deployment="A",instance="i1",replica="%1$s",} %4$d
                """.formatted(replica, waitSeconds, computeSeconds, count);
    }

    @Test
    void queueWaitAndComputeAreMeansOverTheIntervalAcrossReplicas() {
        texts.put("node-1", scrape("r1", 200, 10, 0) + split("r1", 1.0, 2.0, 10));
        texts.put("node-2", scrape("r2", 200, 0, 0) + split("r2", 0.0, 0.0, 0));
        sampler.sample();
        // r1: 10 more requests that waited 0.1 s in all and computed 0.3 s; r2: 30 that waited 0.5 s and computed 0.1 s.
        texts.put("node-1", scrape("r1", 200, 20, 0) + split("r1", 1.1, 2.3, 20));
        texts.put("node-2", scrape("r2", 200, 30, 0) + split("r2", 0.5, 0.1, 30));
        clock.addAndGet(2_000);
        sampler.sample();

        TrafficHistory.Point point = history.points("A").getLast();
        assertThat(point.queueWaitMs()).isCloseTo(600.0 / 40, within(1e-6));
        assertThat(point.computeMs()).isCloseTo(400.0 / 40, within(1e-6));
        assertThat(history.clusterPoints().getLast().queueWaitMs()).isCloseTo(15.0, within(1e-6));
        assertThat(history.points("B").getLast().queueWaitMs()).as("nothing ran: no mean, not zero").isNull();
    }

    @Test
    void aNodeThatDoesNotAnswerIsSkipped() {
        texts.put("node-1", scrape("r1", 200, 1, 0));
        sampler.sample();
        texts.put("node-1", scrape("r1", 200, 5, 0));
        clock.addAndGet(2_000);
        sampler.sample();
        assertThat(history.points("A").getLast().rps()).isEqualTo(2.0);
    }

    @Test
    void quantileInterpolatesWithinTheBucket() {
        TreeMap<Double, Double> buckets = new TreeMap<>(Map.of(0.1, 50.0, 0.2, 100.0, Double.POSITIVE_INFINITY, 100.0));
        assertThat(TrafficSampler.quantile(buckets, 0.5)).isCloseTo(0.1, within(1e-9));
        assertThat(TrafficSampler.quantile(buckets, 0.75)).isCloseTo(0.15, within(1e-9));
        assertThat(TrafficSampler.quantile(new TreeMap<>(), 0.5)).isNull();
        TreeMap<Double, Double> overflow = new TreeMap<>(Map.of(0.1, 0.0, Double.POSITIVE_INFINITY, 10.0));
        assertThat(TrafficSampler.quantile(overflow, 0.99)).isEqualTo(0.1);
    }

    @Test
    void historyKeepsTheNewestPointsOfDeploymentsStillApplied() {
        TrafficHistory small = new TrafficHistory(3);
        for (int i = 0; i < 5; i++) {
            small.add("A", new TrafficHistory.Point(i, i, 0, 0, null, null, null, null, null));
        }
        small.add("Gone", new TrafficHistory.Point(0, 0, 0, 0, null, null, null, null, null));
        assertThat(small.points("A")).extracting(TrafficHistory.Point::atMillis).containsExactly(2L, 3L, 4L);
        small.retain(List.of("A"));
        assertThat(small.deployments()).containsExactly("A");
    }
}
