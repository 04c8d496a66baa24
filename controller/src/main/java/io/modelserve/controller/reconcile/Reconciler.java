package io.modelserve.controller.reconcile;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.controller.scheduling.Placement;
import io.modelserve.controller.scheduling.PlacementResult;
import io.modelserve.controller.scheduling.ReplicaRequest;
import io.modelserve.controller.scheduling.ReplicaScheduler;
import io.modelserve.sdk.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Level-based reconcile of one deployment: reads desired spec, assignments, statuses and live nodes,
 * and writes assignments until they agree. Idempotent — running it twice in a row does nothing the
 * second time — so a missed event, a duplicate one, or a restarted controller does no harm.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>no desired spec: every assignment of the deployment is removed (its node drains it);</li>
 *   <li>an assignment on a node that is gone is removed (it is replaced below);</li>
 *   <li>replicas of an older version are replaced one at a time: one new replica starts, and an old
 *       one is removed only when a new one is RUNNING, so capacity never drops below
 *       {@code replicas} while new ones are healthy; without room for that surge replica it
 *       replaces in place (see {@link Rollout}), and an old replica that was never placed is removed
 *       at once, since an old version is never placed anew;</li>
 *   <li>otherwise the count is brought to {@code replicas}, removing unplaced, failed and starting
 *       replicas before running ones;</li>
 *   <li>unplaced replicas are placed by the {@link ReplicaScheduler}; what fits nowhere stays
 *       PENDING with the scheduler's reason.</li>
 * </ol>
 */
public final class Reconciler {
    static final Duration PROGRESS_POLL = Duration.ofMillis(500);

    private final ControllerStore store;
    private final Clock clock;
    private final Supplier<String> idSuffixes;

    public Reconciler(ControllerStore store, Clock clock, Supplier<String> idSuffixes) {
        this.store = store;
        this.clock = clock;
        this.idSuffixes = idSuffixes;
    }

    public ReconcileOutcome reconcile(String deployment) {
        Optional<DeploymentSpec> desired = store.desired().stream().filter(s -> s.name().equals(deployment)).findFirst();
        List<ReplicaAssignment> mine = new ArrayList<>();
        for (ReplicaAssignment a : store.assignments()) {
            if (a.deployment().equals(deployment)) {
                mine.add(a);
            }
        }
        Set<String> liveNodes = new HashSet<>();
        for (NodeStatus node : store.liveNodes()) {
            liveNodes.add(node.nodeId());
        }
        if (desired.isEmpty()) {
            mine.forEach(a -> store.removeAssignment(a.replicaId()));
            return mine.isEmpty() && noStatuses(deployment, liveNodes) ? new ReconcileOutcome.Converged()
                    : new ReconcileOutcome.Progressing(PROGRESS_POLL, "draining removed deployment");
        }
        DeploymentSpec spec = desired.get();
        Map<String, ReplicaStatus> statuses = new HashMap<>();
        for (ReplicaStatus status : store.statuses()) {
            statuses.put(status.replicaId(), status);
        }

        List<ReplicaAssignment> current = new ArrayList<>();
        List<ReplicaAssignment> old = new ArrayList<>();
        for (ReplicaAssignment a : mine) {
            if (a.isPlaced() && !liveNodes.contains(a.node())) {
                store.removeAssignment(a.replicaId());
            } else if (a.version().equals(spec.version())) {
                current.add(a);
            } else if (!a.isPlaced()) {
                // An old version is never placed anew, so an unplaced one serves nothing and never will;
                // kept, it would count as serving capacity and be left behind PENDING for good.
                store.removeAssignment(a.replicaId());
            } else {
                old.add(a);
            }
        }
        Comparator<ReplicaAssignment> removalOrder = removalOrder(statuses);
        if (!old.isEmpty()) {
            long newReady = current.stream().filter(a -> isReady(a, statuses)).count();
            int keepOld = (int) Math.max(0, spec.replicas() - newReady);
            // Fewer new replicas wanted than exist (scaled down during the rollout): trim new ones too.
            trim(current, spec.replicas(), removalOrder);
            old.sort(removalOrder);
            while (old.size() > keepOld) {
                store.removeAssignment(old.removeFirst().replicaId());
            }
            boolean oneStarting = current.stream().anyMatch(a -> !isReady(a, statuses));
            if (current.size() < spec.replicas() && !oneStarting) {
                current.add(create(spec));
            }
        } else {
            trim(current, spec.replicas(), removalOrder);
            while (current.size() < spec.replicas()) {
                current.add(create(spec));
            }
        }
        boolean allPlaced = place(current);
        if (!allPlaced && !old.isEmpty()) {
            // No room for a surge replica while the old version holds it: replace in place, giving one
            // old replica up, but only if that makes room; otherwise the old version keeps serving and
            // the new waits. Which one matters: only a replica on a node that could take the new version
            // makes room. The plan said so at apply (SurgeRoom), and status says so while it lasts.
            old.sort(removalOrder);
            for (ReplicaAssignment victim : old) {
                if (fitsWithout(current, victim)) {
                    store.removeAssignment(victim.replicaId());
                    old.remove(victim);
                    allPlaced = place(current);
                    break;
                }
            }
        }
        boolean converged = old.isEmpty() && allPlaced && current.size() == spec.replicas()
                && current.stream().allMatch(a -> isReady(a, statuses));
        return converged ? new ReconcileOutcome.Converged()
                : new ReconcileOutcome.Progressing(PROGRESS_POLL, describeProgress(spec, current, old, statuses));
    }

    /** A lost node's statuses stay in the map with nobody to remove them, so only live nodes count. */
    private boolean noStatuses(String deployment, Set<String> liveNodes) {
        return store.statuses().stream()
                .noneMatch(s -> s.deployment().equals(deployment) && liveNodes.contains(s.node()));
    }

    private void trim(List<ReplicaAssignment> replicas, int wanted, Comparator<ReplicaAssignment> removalOrder) {
        if (replicas.size() <= wanted) {
            return;
        }
        replicas.sort(removalOrder);
        while (replicas.size() > wanted) {
            store.removeAssignment(replicas.removeFirst().replicaId());
        }
    }

    /** Unplaced first, then failed, starting, and running last; among equals the newest first. */
    private static Comparator<ReplicaAssignment> removalOrder(Map<String, ReplicaStatus> statuses) {
        return Comparator.<ReplicaAssignment>comparingInt(a -> removalRank(a, statuses.get(a.replicaId())))
                .thenComparing(Comparator.comparingLong(ReplicaAssignment::createdAtMillis).reversed())
                .thenComparing(ReplicaAssignment::replicaId);
    }

    private static int removalRank(ReplicaAssignment a, ReplicaStatus status) {
        if (!a.isPlaced()) {
            return 0;
        }
        if (status == null) {
            return 2;
        }
        return switch (status.state()) {
            case FAILED -> 1;
            case PENDING, STARTING -> 2;
            case DRAINING -> 3;
            case RUNNING -> 4;
        };
    }

    static boolean isReady(ReplicaAssignment a, Map<String, ReplicaStatus> statuses) {
        ReplicaStatus status = statuses.get(a.replicaId());
        return a.isPlaced() && status != null && status.state() == ReplicaState.RUNNING
                && status.node().equals(a.node());
    }

    private ReplicaAssignment create(DeploymentSpec spec) {
        ReplicaAssignment fresh = new ReplicaAssignment(spec.name() + "-" + idSuffixes.get(), spec, null, Device.CPU,
                "waiting for placement", clock.millis());
        store.putAssignment(fresh);
        return fresh;
    }

    private boolean fitsWithout(List<ReplicaAssignment> replicas, ReplicaAssignment removed) {
        return schedule(replicas.stream().filter(a -> !a.isPlaced()).toList(), removed.replicaId())
                .pending().isEmpty();
    }

    private PlacementResult schedule(List<ReplicaAssignment> unplaced, String excluded) {
        List<ReplicaRequest> requests = unplaced.stream()
                .map(a -> new ReplicaRequest(a.replicaId(), Rollout.spreadKey(a.deployment(), a.version()), a.spec().cost()))
                .toList();
        return ReplicaScheduler.place(requests, Rollout.view(store, excluded));
    }

    /** Places every unplaced replica in {@code replicas} that fits; returns whether all are placed. */
    private boolean place(List<ReplicaAssignment> replicas) {
        List<ReplicaAssignment> unplaced = replicas.stream().filter(a -> !a.isPlaced()).toList();
        if (unplaced.isEmpty()) {
            return true;
        }
        PlacementResult result = schedule(unplaced, null);
        Map<String, Placement> placed = new HashMap<>();
        result.placed().forEach(p -> placed.put(p.replicaId(), p));
        for (int i = 0; i < replicas.size(); i++) {
            ReplicaAssignment a = replicas.get(i);
            if (a.isPlaced()) {
                continue;
            }
            Placement p = placed.get(a.replicaId());
            ReplicaAssignment next = p != null ? a.placedOn(p.nodeId(), p.device())
                    : a.pending(result.pending().getOrDefault(a.replicaId(), "no room"));
            if (!next.equals(a)) {
                store.putAssignment(next);
                replicas.set(i, next);
            }
        }
        return result.pending().isEmpty();
    }

    private static String describeProgress(DeploymentSpec spec, List<ReplicaAssignment> current,
            List<ReplicaAssignment> old, Map<String, ReplicaStatus> statuses) {
        long ready = current.stream().filter(a -> isReady(a, statuses)).count();
        return ready + "/" + spec.replicas() + " ready" + (old.isEmpty() ? "" : ", " + old.size() + " of the previous version left")
                + (Rollout.inPlace(spec, current.size(), old.size()) ? "; " + Rollout.IN_PLACE : "");
    }
}
