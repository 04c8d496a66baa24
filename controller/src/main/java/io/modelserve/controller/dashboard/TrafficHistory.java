package io.modelserve.controller.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} traffic points of each deployment, oldest first: 450 points at one per
 * 2 s is the dashboard's 15 minutes. Kept on the head only; a new head starts with empty charts.
 */
public final class TrafficHistory {
    /**
     * Traffic of one deployment over one sampling interval.
     *
     * @param rps       answers per second, any status
     * @param errorRps  answers per second with a status of 400 or more
     * @param p50Ms     median latency in ms, or null when nothing was answered in the interval
     * @param p99Ms     99th percentile latency in ms, or null likewise
     */
    public record Point(long atMillis, double rps, double errorRps, Double p50Ms, Double p99Ms) {}

    private final int capacity;
    private final Map<String, ArrayDeque<Point>> points = new HashMap<>();

    public TrafficHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    public synchronized void add(String deployment, Point point) {
        ArrayDeque<Point> series = points.computeIfAbsent(deployment, d -> new ArrayDeque<>(capacity));
        if (series.size() == capacity) {
            series.removeFirst();
        }
        series.addLast(point);
    }

    public synchronized List<Point> points(String deployment) {
        ArrayDeque<Point> series = points.get(deployment);
        return series == null ? List.of() : List.copyOf(series);
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
}
