package io.modelserve.controller.reconcile;

import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.List;
import java.util.function.Supplier;

/**
 * A cluster for reconcile tests: the fake store, the simulated agents, a fake clock and a
 * reconciler whose replica ids end in 000001, 000002, ... in creation order.
 */
public final class ReconcileHarness {
    public final FakeControllerStore store = new FakeControllerStore();
    public final FakeClock clock = new FakeClock(1_000_000);
    public final FakeNodeRuntime agents = new FakeNodeRuntime(store, clock);
    private int nextId = 1;
    private final Supplier<String> ids = () -> String.format("%06d", nextId++);
    public final Reconciler reconciler = new Reconciler(store, clock, ids);

    /** One reconcile; the clock then moves on so later replicas are newer. */
    public ReconcileOutcome reconcile(String deployment) {
        ReconcileOutcome outcome = reconciler.reconcile(deployment);
        clock.advance(1_000);
        return outcome;
    }

    public List<ReplicaAssignment> assignments(String deployment) {
        return store.assignmentsOf(deployment);
    }

    public List<String> ids(String deployment) {
        return assignments(deployment).stream().map(ReplicaAssignment::replicaId).sorted().toList();
    }

    public List<String> placedNodes(String deployment) {
        return assignments(deployment).stream().map(ReplicaAssignment::node).sorted().toList();
    }

    /** Replicas of {@code deployment} at {@code version} that are RUNNING on the node they are assigned to. */
    public long running(String deployment, String version) {
        return assignments(deployment).stream()
                .filter(a -> a.version().equals(version))
                .filter(a -> store.status(a.replicaId()).map(s -> isRunningOn(s, a)).orElse(false))
                .count();
    }

    public long assigned(String deployment, String version) {
        return assignments(deployment).stream().filter(a -> a.version().equals(version)).count();
    }

    private boolean isRunningOn(ReplicaStatus status, ReplicaAssignment a) {
        return status.state() == ReplicaState.RUNNING && status.node().equals(a.node());
    }
}
