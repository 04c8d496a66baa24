package io.modelserve.controller.dashboard;

import io.modelserve.controller.admin.DeploymentHealth;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} traffic points of each deployment and of the whole cluster, oldest first:
 * 450 points at one per 2 s is the dashboard's 15 minutes. Kept on the head only; a new head starts
 * with empty charts. Also the latest load of each replica (in flight, queued), from the same scrapes.
 */
public final class TrafficHistory {
    /**
     * Traffic of one deployment (or the cluster) over one sampling interval.
     *
     * @param rps            answers per second, any status
     * @param errorRps       answers per second with a status of 400 or more
     * @param serverErrorRps answers per second with a status of 500 or more: what the deployment's health counts
     * @param p50Ms          median latency in ms, or null when nothing was answered in the interval
     * @param p99Ms          99th percentile latency in ms, or null likewise
     * @param batchSize      mean requests per call of {@code inferenceBatch}, or null when none ran
     * @param queueWaitMs    mean time a request waited on its replica for the plugin's turn, or null
     * @param computeMs      mean time in the plugin's call that answered a request (each request of a batch
     *                       counts the whole call), or null
     */
    public record Point(long atMillis, double rps, double errorRps, double serverErrorRps, Double p50Ms, Double p99Ms,
            Double batchSize, Double queueWaitMs, Double computeMs) {}

    /** A replica's load at the last scrape of its node. */
    public record ReplicaLoad(String replica, String deployment, double inFlight, double queued) {}

    private final int capacity;
    private final Map<String, ArrayDeque<Point>> points = new HashMap<>();
    private final ArrayDeque<Point> cluster = new ArrayDeque<>();
    private Map<String, ReplicaLoad> replicaLoad = Map.of();

    public TrafficHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    public synchronized void add(String deployment, Point point) {
        append(points.computeIfAbsent(deployment, d -> new ArrayDeque<>(capacity)), point);
    }

    /** A point of every deployment together (latency quantiles over all their answers). */
    public synchronized void addCluster(Point point) {
        append(cluster, point);
    }

    private void append(ArrayDeque<Point> series, Point point) {
        if (series.size() == capacity) {
            series.removeFirst();
        }
        series.addLast(point);
    }

    public synchronized List<Point> points(String deployment) {
        ArrayDeque<Point> series = points.get(deployment);
        return series == null ? List.of() : List.copyOf(series);
    }

    public synchronized List<Point> clusterPoints() {
        return List.copyOf(cluster);
    }

    public synchronized List<String> deployments() {
        List<String> names = new ArrayList<>(points.keySet());
        names.sort(null);
        return names;
    }

    /** Forgets deployments no longer applied, so a removed one does not keep its memory for ever. */
    public synchronized void retain(Collection<String> deployments) {
        points.keySet().retainAll(deployments);
    }

    public synchronized void setReplicaLoad(Map<String, ReplicaLoad> load) {
        replicaLoad = Map.copyOf(load);
    }

    /** replica id -> its load at the last scrape. */
    public synchronized Map<String, ReplicaLoad> replicaLoad() {
        return replicaLoad;
    }

    /**
     * What {@code deployment} answered in the {@code windowMs} before {@code now}: each point is one
     * sampling interval, so a rate times that interval is a count.
     */
    public synchronized DeploymentHealth.RecentTraffic recent(String deployment, long now, long windowMs) {
        ArrayDeque<Point> series = points.get(deployment);
        if (series == null) {
            return DeploymentHealth.RecentTraffic.NONE;
        }
        double requests = 0;
        double serverErrors = 0;
        long previous = -1;
        for (Point point : series) {
            if (point.atMillis() > now - windowMs && previous >= 0) {
                double seconds = (point.atMillis() - previous) / 1000.0;
                requests += point.rps() * seconds;
                serverErrors += point.serverErrorRps() * seconds;
            }
            previous = point.atMillis();
        }
        return new DeploymentHealth.RecentTraffic(requests, serverErrors, windowMs);
    }
}
