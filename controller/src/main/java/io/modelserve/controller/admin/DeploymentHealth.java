package io.modelserve.controller.admin;

import io.modelserve.cluster.ReplicaState;
import java.util.List;
import java.util.Locale;

/**
 * A deployment's state in one word and the reason an operator reads, judged once, here, from the
 * report's replica lines and the deployment's recent answers; the dashboard and the CLI only show it.
 * The first rule that holds wins:
 * <ol>
 *   <li>{@link State#FAILING}: a replica is FAILED, or cannot be placed on any node;</li>
 *   <li>{@link State#DEGRADED}: at least {@value #MIN_REQUESTS} answers in the window and
 *       {@value #DEGRADED_SERVER_ERRORS} or more of them 5xx (4xx are the callers' mistakes);</li>
 *   <li>{@link State#CONVERGING}: fewer replicas ready than desired, or a replica of another version,
 *       starting or draining;</li>
 *   <li>{@link State#HEALTHY} otherwise.</li>
 * </ol>
 *
 * @param errorRate share of the window's answers that were 5xx, or null without answers
 */
public record DeploymentHealth(State state, String reason, Double errorRate) {
    public enum State { HEALTHY, DEGRADED, FAILING, CONVERGING }

    /** A 5xx share at or above this is DEGRADED. */
    public static final double DEGRADED_SERVER_ERRORS = 0.05;
    /** Fewer answers than this say nothing about an error rate (one failed probe is not 100%). */
    public static final double MIN_REQUESTS = 10;
    /** How far back the error rate looks. */
    public static final long WINDOW_MS = 30_000;

    /** Answers and 5xx answers of one deployment within the last {@code windowMs}. */
    public record RecentTraffic(double requests, double serverErrors, long windowMs) {
        public static final RecentTraffic NONE = new RecentTraffic(0, 0, WINDOW_MS);
    }

    /**
     * @param replicas the report's lines of this deployment's replicas
     * @param version  the version the deployment is at now
     */
    public static DeploymentHealth judge(int desired, int ready, String version, List<ClusterReport.ReplicaLine> replicas,
            RecentTraffic traffic) {
        Double errorRate = traffic.requests() > 0 ? Math.min(1.0, traffic.serverErrors() / traffic.requests()) : null;
        List<ClusterReport.ReplicaLine> failed = replicas.stream().filter(r -> r.state() == ReplicaState.FAILED).toList();
        if (!failed.isEmpty()) {
            ClusterReport.ReplicaLine first = failed.getFirst();
            return new DeploymentHealth(State.FAILING, "replica " + first.id() + " failed: " + first.reason()
                    + more(failed.size() - 1, "failed"), errorRate);
        }
        List<ClusterReport.ReplicaLine> unplaceable = replicas.stream().filter(DeploymentHealth::cannotBePlaced).toList();
        if (!unplaceable.isEmpty()) {
            return new DeploymentHealth(State.FAILING, "replica " + unplaceable.getFirst().id() + " cannot be placed: "
                    + unplaceable.getFirst().reason() + more(unplaceable.size() - 1, "unplaced"), errorRate);
        }
        if (errorRate != null && traffic.requests() >= MIN_REQUESTS && errorRate >= DEGRADED_SERVER_ERRORS) {
            return new DeploymentHealth(State.DEGRADED, percent(errorRate) + " of answers were 5xx in the last "
                    + traffic.windowMs() / 1000 + " s (" + Math.round(traffic.serverErrors()) + " of "
                    + Math.round(traffic.requests()) + ")", errorRate);
        }
        if (ready < desired) {
            return new DeploymentHealth(State.CONVERGING, ready + " of " + desired + " replicas ready"
                    + replicas.stream().filter(r -> r.state() != ReplicaState.RUNNING).findFirst()
                            .map(r -> "; " + r.id() + " " + r.state() + (r.reason() == null ? "" : ": " + r.reason()))
                            .orElse(""), errorRate);
        }
        for (ClusterReport.ReplicaLine r : replicas) {
            if (!r.version().equals(version)) {
                return new DeploymentHealth(State.CONVERGING, "replacing " + r.id() + " of version " + r.version(), errorRate);
            }
            if (r.state() != ReplicaState.RUNNING) {
                return new DeploymentHealth(State.CONVERGING, r.id() + " " + r.state()
                        + (r.reason() == null ? "" : ": " + r.reason()), errorRate);
            }
        }
        String answers = errorRate == null ? "" : ", " + percent(errorRate) + " 5xx in the last " + traffic.windowMs() / 1000 + " s";
        return new DeploymentHealth(State.HEALTHY, desired == 0 ? "scaled to zero" + answers
                : ready + " of " + desired + " replicas ready" + answers, errorRate);
    }

    /** Unplaced, and the scheduler said why it fits nowhere (not merely that it has not looked yet). */
    private static boolean cannotBePlaced(ClusterReport.ReplicaLine r) {
        return r.state() == ReplicaState.PENDING && "-".equals(r.node()) && r.reason() != null
                && !r.reason().equals("waiting for placement");
    }

    private static String more(int others, String what) {
        return others <= 0 ? "" : " (and " + others + " more " + what + ")";
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
