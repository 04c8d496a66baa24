package io.modelserve.controller.reconcile;

import io.modelserve.cluster.AutoscaleDecision;
import io.modelserve.cluster.Autoscaling;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sizes autoscaled deployments ({@code replicas = min..max}) from the load their replicas report:
 * the ongoing (running + queued) requests of all its replicas, divided by {@code target_ongoing},
 * held within min..max. A change is decided only when the load has asked for it continuously for
 * {@code upscale_delay_s} (up) or {@code downscale_delay_s} (down). A request that found no replica
 * of a deployment scaled to zero starts one at once: it is waiting for it. Work waiting in the
 * deployment's async queue ({@code /-/queue/<route>}) is demand too, level-based: as long as any
 * waits, a deployment at zero gets a replica and one that serves is not scaled to zero; and each
 * queued item counts as load, as a request queued at a replica does.
 *
 * <p>Runs on the controller thread; its timers are in memory (a new leader starts them afresh from
 * the last decision kept in the cluster).
 */
public final class Autoscaler {
    /** A request that found no replica counts as demand for this long. */
    static final long DEMAND_WINDOW_MS = 10_000;

    private final Clock clock;
    private final Map<String, Long> wantUpSince = new HashMap<>();
    private final Map<String, Long> wantDownSince = new HashMap<>();

    public Autoscaler(Clock clock) {
        this.clock = clock;
    }

    /** The decisions that change, given the declared specs, what replicas report, and recent demand. */
    public List<AutoscaleDecision> decide(Collection<DeploymentSpec> declared, Collection<ReplicaStatus> statuses,
            Map<String, AutoscaleDecision> current, Map<String, Long> demand) {
        return decide(declared, statuses, current, demand, Map.of());
    }

    /** As above, with {@code queued}: deployment -> requests waiting in its async queue now. */
    public List<AutoscaleDecision> decide(Collection<DeploymentSpec> declared, Collection<ReplicaStatus> statuses,
            Map<String, AutoscaleDecision> current, Map<String, Long> demand, Map<String, Integer> queued) {
        long now = clock.millis();
        List<AutoscaleDecision> changes = new ArrayList<>();
        for (DeploymentSpec spec : declared) {
            if (!spec.isAutoscaled()) {
                continue;
            }
            Autoscaling range = spec.autoscaling();
            AutoscaleDecision previous = current.get(spec.name());
            int replicas = previous == null ? range.min() : range.clamp(previous.replicas());
            double load = 0;
            for (ReplicaStatus status : statuses) {
                if (status.deployment().equals(spec.name())
                        && (status.state() == ReplicaState.RUNNING || status.state() == ReplicaState.STARTING)) {
                    load += status.ongoing();
                }
            }
            int waiting = queued.getOrDefault(spec.name(), 0);
            load += waiting;
            int wanted = range.clamp((int) Math.ceil(load / range.targetOngoing()));
            boolean requested = Optional.ofNullable(demand.get(spec.name())).filter(t -> now - t < DEMAND_WINDOW_MS).isPresent();
            boolean demanded = requested || waiting > 0;
            if (replicas == 0 && demanded) {
                wanted = Math.max(wanted, range.clamp(1));
                changes.add(decision(spec, wanted, requested ? "a request is waiting for a replica (scale from zero)"
                        : waiting + " queued request(s) waiting for a replica (scale from zero)", now));
                wantUpSince.remove(spec.name());
                continue;
            }
            if (previous == null) {
                changes.add(decision(spec, replicas, "starting at the minimum", now));
            }
            if (wanted > replicas) {
                wantDownSince.remove(spec.name());
                long since = wantUpSince.computeIfAbsent(spec.name(), n -> now);
                if (now - since >= range.upscaleDelayS() * 1000L) {
                    changes.add(decision(spec, wanted, reason(load, range, replicas, wanted, "up", range.upscaleDelayS()), now));
                    wantUpSince.remove(spec.name());
                }
            } else if (wanted < replicas && !(demanded && wanted == 0)) {
                wantUpSince.remove(spec.name());
                long since = wantDownSince.computeIfAbsent(spec.name(), n -> now);
                if (now - since >= range.downscaleDelayS() * 1000L) {
                    changes.add(decision(spec, wanted, reason(load, range, replicas, wanted, "down", range.downscaleDelayS()), now));
                    wantDownSince.remove(spec.name());
                }
            } else {
                wantUpSince.remove(spec.name());
                wantDownSince.remove(spec.name());
            }
        }
        return changes;
    }

    private static AutoscaleDecision decision(DeploymentSpec spec, int replicas, String reason, long now) {
        return new AutoscaleDecision(spec.name(), replicas, reason, now);
    }

    private static String reason(double load, Autoscaling range, int from, int to, String direction, int delay) {
        return String.format(Locale.ROOT, "scaled %s %d -> %d: %.1f ongoing requests for target_ongoing %s per replica, for %d s",
                direction, from, to, load, trim(range.targetOngoing()), delay);
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
