package io.modelserve.cluster;

/**
 * {@code replicas = min..max}: the controller sizes the deployment from the load its replicas report,
 * aiming at {@code targetOngoing} requests (running + queued) per replica. Scaling up waits until
 * the load has asked for it for {@code upscaleDelayS}, scaling down for {@code downscaleDelayS}, so
 * a burst does not start replicas and a lull does not stop them. {@code min = 0} scales to zero: the
 * first request then waits for a cold start, bounded by {@code timeout_ms}.
 */
public record Autoscaling(int min, int max, double targetOngoing, int upscaleDelayS, int downscaleDelayS) {
    public Autoscaling {
        if (min < 0 || max < 1 || min > max) {
            throw new IllegalArgumentException("replicas range " + min + ".." + max + " is not min..max with 0 <= min <= max, max >= 1");
        }
        if (!(targetOngoing > 0)) {
            throw new IllegalArgumentException("target_ongoing must be > 0");
        }
    }

    /** {@code count} held within min..max. */
    public int clamp(int count) {
        return Math.max(min, Math.min(max, count));
    }
}
