package io.modelserve.bench;

import java.util.Arrays;

/** What one load run measured: answered requests per second and latency percentiles (ms). */
record LoadResult(String name, int connections, long ok, long errors, double seconds, double p50, double p90, double p99,
        double max) {

    double throughput() {
        return ok / seconds;
    }

    static LoadResult of(String name, int connections, long[] latenciesNanos, long errors, double seconds) {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return new LoadResult(name, connections, sorted.length, errors, seconds, percentile(sorted, 0.50),
                percentile(sorted, 0.90), percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(index, 0)] / 1e6;
    }
}
