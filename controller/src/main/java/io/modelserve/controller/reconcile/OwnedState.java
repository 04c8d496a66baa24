package io.modelserve.controller.reconcile;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.controller.state.StateDirectory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's own record of what it wrote: the applied entry, the deployment entries that came with
 * it (both also kept in {@code state_dir}), and the assignments its loop wrote (in memory: a new
 * leader adopts the cluster's). The cluster maps are a copy anyone with member access could change;
 * each pass compares them with this record and rewrites what was deleted or altered, and removes
 * what was added behind the leader's back. An entry that fails its seal reads as absent, so forgery
 * is repaired the same way.
 *
 * <p>Taking over: the record in {@code state_dir}, unless the cluster's applied entry is newer (another
 * head applied meanwhile) — then the cluster's. Either way the generation continues. Assignments are
 * adopted as the cluster holds them, so a restarted head keeps every replica that is running.
 *
 * <p>One lock: applies (on admin threads) and passes (on the loop thread) never interleave their writes.
 */
public final class OwnedState {
    private static final Logger log = LoggerFactory.getLogger(OwnedState.class);

    /** One entry put back (or taken away) because it differed from the record. */
    public record Restoration(String kind, String key, Cause cause) {
        @Override
        public String toString() {
            return cause == Cause.ADDED ? "removed " + kind + " " + key + " (added, not written by the leader)"
                    : "restored " + kind + " " + key + " (" + cause.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    public enum Cause { DELETED, ALTERED, ADDED }

    private final Optional<StateDirectory> disk;
    private StateDirectory.Saved record;
    private Map<String, ReplicaAssignment> assignments;

    /** @param disk where the record survives a restart; empty keeps it in memory only */
    public OwnedState(Optional<StateDirectory> disk) {
        this.disk = disk;
    }

    public static OwnedState inMemory() {
        return new OwnedState(Optional.empty());
    }

    /** Whether this process leads and has taken over the cluster's state for this term. */
    public synchronized boolean holdsTerm() {
        return assignments != null;
    }

    /** Starts a term (idempotent within one): settles the record and adopts the cluster's assignments. */
    public synchronized void takeOver(ControllerStore store) {
        if (assignments != null) {
            return;
        }
        StateDirectory.Saved saved = record != null ? record : load();
        Optional<AppliedConfig> cluster = store.applied();
        if (cluster.isPresent() && (saved == null || cluster.get().generation() > saved.applied().generation())) {
            adopt(store, cluster.get());
        } else {
            record = saved;
            if (saved != null) {
                log.info("leading from generation {} as recorded in {}", saved.applied().generation(),
                        disk.map(d -> d.path().toString()).orElse("memory"));
            }
        }
        assignments = new LinkedHashMap<>();
        store.assignments().forEach(a -> assignments.put(a.replicaId(), a));
    }

    /** Ends the term: a standby does not guard entries it does not own. */
    public synchronized void standDown() {
        assignments = null;
    }

    public synchronized Optional<AppliedConfig> applied() {
        return Optional.ofNullable(record).map(StateDirectory.Saved::applied);
    }

    /** name -> spec as last applied by this leader. */
    public synchronized Map<String, DeploymentSpec> deployments() {
        Map<String, DeploymentSpec> byName = new TreeMap<>();
        if (record != null) {
            record.deployments().forEach(spec -> byName.put(spec.name(), spec));
        }
        return byName;
    }

    /**
     * Makes the cluster match the record; returns what it had to change (each also logged at WARN).
     * A cluster applied entry with a higher generation is not undone but adopted: some head applied
     * it, and generations only move forward.
     */
    public synchronized List<Restoration> restore(ControllerStore store) {
        List<Restoration> restored = new ArrayList<>();
        if (assignments == null) {
            return restored;
        }
        if (record != null) {
            Optional<AppliedConfig> cluster = store.applied();
            if (cluster.isPresent() && cluster.get().generation() > record.applied().generation()) {
                adopt(store, cluster.get());
            } else {
                restoreDeployments(store, cluster, restored);
            }
        }
        restoreAssignments(store, restored);
        restored.forEach(r -> log.warn("{}", r));
        return restored;
    }

    /** What the loop's pass left in the cluster is what the leader owns from now on. */
    synchronized void recordAssignments(Collection<ReplicaAssignment> written) {
        if (assignments != null) {
            assignments.clear();
            written.forEach(a -> assignments.put(a.replicaId(), a));
        }
    }

    /**
     * Writes an apply: the applied entry by conditional replace on {@code expected} (so no two applies
     * share a generation), then the deployment entries, then the record. False, with nothing written,
     * if the record or the cluster moved on since {@code expected} was read.
     */
    public synchronized boolean commit(ControllerStore store, Optional<AppliedConfig> expected, AppliedConfig next,
            List<DeploymentSpec> specs) {
        if (!Objects.equals(expected, applied()) || !store.replaceApplied(expected, next)) {
            return false;
        }
        Map<String, DeploymentSpec> current = new LinkedHashMap<>();
        store.declared().forEach(spec -> current.put(spec.name(), spec));
        for (DeploymentSpec spec : specs) {
            if (!spec.equals(current.remove(spec.name()))) {
                store.putDeployment(spec);
            }
        }
        current.keySet().forEach(store::removeDeployment);
        record = new StateDirectory.Saved(next, specs);
        save();
        return true;
    }

    private void restoreDeployments(ControllerStore store, Optional<AppliedConfig> cluster, List<Restoration> restored) {
        if (!cluster.equals(Optional.of(record.applied()))) {
            store.putApplied(record.applied());
            restored.add(new Restoration("applied settings", "generation " + record.applied().generation(),
                    cluster.isEmpty() ? Cause.DELETED : Cause.ALTERED));
        }
        Map<String, DeploymentSpec> present = new LinkedHashMap<>();
        store.declared().forEach(spec -> present.put(spec.name(), spec));
        for (DeploymentSpec spec : record.deployments()) {
            DeploymentSpec there = present.remove(spec.name());
            if (!spec.equals(there)) {
                store.putDeployment(spec);
                restored.add(new Restoration("deployment", spec.name(), there == null ? Cause.DELETED : Cause.ALTERED));
            }
        }
        for (String extra : present.keySet()) {
            store.removeDeployment(extra);
            restored.add(new Restoration("deployment", extra, Cause.ADDED));
        }
    }

    private void restoreAssignments(ControllerStore store, List<Restoration> restored) {
        Map<String, ReplicaAssignment> present = new LinkedHashMap<>();
        store.assignments().forEach(a -> present.put(a.replicaId(), a));
        for (ReplicaAssignment mine : assignments.values()) {
            ReplicaAssignment there = present.remove(mine.replicaId());
            if (!mine.equals(there)) {
                store.putAssignment(mine);
                restored.add(new Restoration("assignment", mine.replicaId(), there == null ? Cause.DELETED : Cause.ALTERED));
            }
        }
        for (String extra : present.keySet()) {
            store.removeAssignment(extra);
            restored.add(new Restoration("assignment", extra, Cause.ADDED));
        }
    }

    private void adopt(ControllerStore store, AppliedConfig cluster) {
        record = new StateDirectory.Saved(cluster, List.copyOf(store.declared()));
        log.info("leading from generation {} as the cluster holds it", cluster.generation());
        save();
    }

    private StateDirectory.Saved load() {
        try {
            return disk.flatMap(StateDirectory::load).orElse(null);
        } catch (RuntimeException e) {
            log.warn("cannot read the leader's record, continuing from the cluster's: {}", e.toString());
            return null;
        }
    }

    private void save() {
        disk.ifPresent(d -> {
            try {
                d.save(record);
            } catch (RuntimeException e) {
                // The cluster has it; only a restart with every other member gone would miss it.
                log.warn("cannot write the leader's record to {}: {}", d.path(), e.toString());
            }
        });
    }
}
