package io.modelserve.controller.reconcile;

import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.List;

/**
 * The node agents, simulated: they run the assignments naming a live node and report a
 * {@link ReplicaStatus} for each, as the real agents do. Each step is explicit, so a test decides
 * when a replica starts, becomes ready, fails, or finishes draining.
 */
public final class FakeNodeRuntime {
    private final FakeControllerStore store;
    private final FakeClock clock;

    public FakeNodeRuntime(FakeControllerStore store, FakeClock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** What every agent does on its own: start new assignments, drain replicas no longer assigned. */
    public void pickUp() {
        for (ReplicaAssignment a : store.assignments()) {
            if (a.isPlaced() && store.liveNodeIds().contains(a.node()) && store.status(a.replicaId()).isEmpty()) {
                report(a, ReplicaState.STARTING);
            }
        }
        for (ReplicaStatus s : store.statuses()) {
            if (store.assignment(s.replicaId()).isEmpty() && store.liveNodeIds().contains(s.node())
                    && s.state() != ReplicaState.DRAINING) {
                store.putStatus(s.withState(ReplicaState.DRAINING, clock.millis()));
            }
        }
    }

    public void starting(String replicaId) {
        report(assignment(replicaId), ReplicaState.STARTING);
    }

    public void running(String replicaId) {
        report(assignment(replicaId), ReplicaState.RUNNING);
    }

    public void failed(String replicaId, String error) {
        ReplicaStatus before = store.status(replicaId).orElse(null);
        int restarts = before == null ? 0 : before.restarts();
        ReplicaAssignment a = assignment(replicaId);
        store.putStatus(new ReplicaStatus(a.replicaId(), a.deployment(), a.version(), a.node(), a.device(),
                ReplicaState.FAILED, a.spec().configDigest(), error, restarts, clock.millis(), 0, 0));
    }

    /** Picks up new work, then every replica it runs of {@code deployment} becomes ready. */
    public void runAll(String deployment) {
        pickUp();
        for (ReplicaAssignment a : store.assignmentsOf(deployment)) {
            if (a.isPlaced() && store.liveNodeIds().contains(a.node())) {
                running(a.replicaId());
            }
        }
    }

    /** Draining replicas finish their queues and stop; their statuses go. */
    public void finishDraining() {
        List<ReplicaStatus> draining = store.statuses().stream()
                .filter(s -> s.state() == ReplicaState.DRAINING).toList();
        draining.forEach(s -> store.removeStatus(s.replicaId()));
    }

    private ReplicaAssignment assignment(String replicaId) {
        ReplicaAssignment a = store.assignment(replicaId)
                .orElseThrow(() -> new IllegalStateException(replicaId + " is not assigned"));
        if (!a.isPlaced()) {
            throw new IllegalStateException(replicaId + " is not placed on any node");
        }
        return a;
    }

    private void report(ReplicaAssignment a, ReplicaState state) {
        ReplicaStatus before = store.status(a.replicaId()).orElse(null);
        long now = clock.millis();
        if (before != null) {
            store.putStatus(before.withState(state, now));
            return;
        }
        store.putStatus(new ReplicaStatus(a.replicaId(), a.deployment(), a.version(), a.node(), a.device(), state,
                a.spec().configDigest(), null, 0, now, state == ReplicaState.RUNNING ? now : 0, 0));
    }
}
