package io.modelserve.controller.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.controller.admin.ClusterReport;
import io.modelserve.controller.admin.DeploymentHealth;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster as the controller sees it, as gauges in the head's registry: replicas per deployment
 * and state (every state, zeros included, so "no FAILED replica" is a value and not a gap), desired
 * and ready replicas, restarts per replica (a counter), and replicas waiting for a node. Rows of deployments
 * and replicas that are gone disappear at the next update.
 */
public final class ClusterMeters {
    private final MultiGauge replicas;
    private final MultiGauge desired;
    private final MultiGauge ready;
    private final MeterRegistry meters;
    /** Restarts per live replica id; this class's update() is the only writer, a scrape only reads. */
    private final Map<String, Restarts> restarts = new java.util.HashMap<>();
    private final MultiGauge health;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger converged = new AtomicInteger();

    public ClusterMeters(MeterRegistry meters) {
        this.meters = meters;
        replicas = MultiGauge.builder("modelserve.replicas")
                .description("Replicas of a deployment in each state (PENDING, STARTING, RUNNING, DRAINING, FAILED)")
                .register(meters);
        desired = MultiGauge.builder("modelserve.deployment.replicas.desired")
                .description("Replicas conf.ini asks for").register(meters);
        ready = MultiGauge.builder("modelserve.deployment.replicas.ready")
                .description("Replicas of the current version that are RUNNING").register(meters);
        health = MultiGauge.builder("modelserve.deployment.health")
                .description("1 for the state the head judged a deployment in (HEALTHY, DEGRADED, FAILING, CONVERGING), 0 for the others")
                .register(meters);
        Gauge.builder("modelserve.controller.pending.replicas", pending, AtomicInteger::get)
                .description("Replicas not running yet: waiting for a node with room, or for their node to start them")
                .register(meters);
        Gauge.builder("modelserve.controller.converged", converged, AtomicInteger::get)
                .description("1 when the cluster runs what the applied conf.ini describes, else 0").register(meters);
    }

    public void update(ClusterReport report) {
        Map<String, EnumMap<ReplicaState, Integer>> counts = new TreeMap<>();
        for (ClusterReport.DeploymentLine deployment : report.deployments()) {
            counts.put(deployment.name(), zeros());
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        int waiting = 0;
        for (ClusterReport.ReplicaLine replica : report.replicas()) {
            counts.computeIfAbsent(replica.deployment(), d -> zeros()).merge(replica.state(), 1, Integer::sum);
            if (replica.state() == ReplicaState.PENDING) {
                waiting++;
            }
            live.add(replica.id());
            restarts.computeIfAbsent(replica.id(), id -> new Restarts(meters, replica.deployment(), id)).observe(replica.restarts());
        }
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        counts.forEach((deployment, byState) -> byState.forEach((state, count) -> stateRows.add(
                MultiGauge.Row.of(Tags.of("deployment", deployment, "state", state.name()), count))));
        // Deployment rows first: a scrape that sees a replica RUNNING also sees its deployment's rows.
        desired.register(report.deployments().stream().map(d -> MultiGauge.Row.of(Tags.of("deployment", d.name()), d.desired()))
                .<MultiGauge.Row<?>>map(r -> r).toList(), true);
        ready.register(report.deployments().stream().map(d -> MultiGauge.Row.of(Tags.of("deployment", d.name()), d.ready()))
                .<MultiGauge.Row<?>>map(r -> r).toList(), true);
        List<MultiGauge.Row<?>> healthRows = new ArrayList<>();
        for (ClusterReport.DeploymentLine d : report.deployments()) {
            for (DeploymentHealth.State state : DeploymentHealth.State.values()) {
                healthRows.add(MultiGauge.Row.of(Tags.of("deployment", d.name(), "state", state.name()),
                        d.health().state() == state ? 1 : 0));
            }
        }
        health.register(healthRows, true);
        replicas.register(stateRows, true);
        // A replica gone from the cluster takes its series with it: a scrape holds live replicas only.
        restarts.values().removeIf(counter -> !live.contains(counter.replicaId) && counter.remove(meters));
        pending.set(waiting);
        converged.set(report.converged() ? 1 : 0);
    }

    /**
     * {@code modelserve_replica_restarts_total}: a counter, as Prometheus expects of a count that only
     * grows. A replica keeps its id across restarts, and its status carries the count; the counter
     * never goes back (a status read from an older write cannot lower it).
     */
    private static final class Restarts {
        final String replicaId;
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        private final FunctionCounter counter;

        Restarts(MeterRegistry meters, String deployment, String replicaId) {
            this.replicaId = replicaId;
            this.counter = FunctionCounter.builder("modelserve.replica.restarts", count, java.util.concurrent.atomic.AtomicLong::get)
                    .description("Times a replica was restarted by its node after a failure")
                    .tags("deployment", deployment, "replica", replicaId).register(meters);
        }

        void observe(long restarts) {
            count.accumulateAndGet(restarts, Math::max);
        }

        boolean remove(MeterRegistry meters) {
            meters.remove(counter);
            return true;
        }
    }

    private static EnumMap<ReplicaState, Integer> zeros() {
        EnumMap<ReplicaState, Integer> zeros = new EnumMap<>(ReplicaState.class);
        for (ReplicaState state : ReplicaState.values()) {
            zeros.put(state, 0);
        }
        return zeros;
    }
}
