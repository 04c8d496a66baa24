package io.modelserve.agent.node;

import io.modelserve.agent.runtime.ManagedReplica;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes the statuses of this node's replicas. A change of state, config, error or restart count
 * is written at once; a change of load alone ({@code ongoing}) at most once per {@code refreshMillis}
 * since that replica's LAST WRITE. Every write wakes every node and the head, so under load the
 * load-only writes must be few: keyed on when the replica entered its state (as it once was), the
 * throttle let every change of {@code ongoing} through after the first two seconds.
 *
 * <p>Loop thread only.
 */
final class StatusPublisher {
    /** The longest a load-only change waits before it is written. */
    static final long STATUS_REFRESH_MS = 2_000;

    private record Published(ReplicaStatus status, long atMillis) {}

    private final AgentStore store;
    private final String nodeId;
    private final long refreshMillis;
    private final Map<String, Published> published = new HashMap<>();
    private volatile long writes; // one writer (the loop thread); read by the node's meter

    StatusPublisher(AgentStore store, String nodeId, long refreshMillis) {
        this.store = store;
        this.nodeId = nodeId;
        this.refreshMillis = refreshMillis;
    }

    void publish(ManagedReplica replica, int restarts, long now) {
        Published previous = published.get(replica.id());
        ReplicaState observed = observedState(replica);
        ReplicaStatus next = new ReplicaStatus(replica.id(), replica.assignment().deployment(),
                replica.assignment().version(), nodeId, replica.assignment().device(), observed,
                replica.appliedConfigDigest(), replica.lastError(), restarts,
                previous != null && previous.status().state() == observed ? previous.status().sinceMillis() : now,
                replica.createdAtMillis(), replica.ongoing(), replica.loadedModels());
        boolean write = previous == null || !sameExceptLoad(previous.status(), next)
                || previous.status().ongoing() != next.ongoing() && now - previous.atMillis() >= refreshMillis;
        if (write) {
            store.putStatus(next);
            published.put(replica.id(), new Published(next, now));
            writes++;
        }
    }

    /** The replica is gone from this node: its status goes too. */
    void remove(String replicaId) {
        published.remove(replicaId);
        store.removeStatus(replicaId);
    }

    /** Everything must be said again (a new member identity after a split healed). */
    void republishAll() {
        published.clear();
    }

    /** Status writes so far (for the node's meter). */
    long writes() {
        return writes;
    }

    private static boolean sameExceptLoad(ReplicaStatus a, ReplicaStatus b) {
        return a.state() == b.state() && a.configDigest().equals(b.configDigest())
                && Objects.equals(a.lastError(), b.lastError()) && a.restarts() == b.restarts()
                && a.models().equals(b.models());
    }

    private static ReplicaState observedState(ManagedReplica replica) {
        return switch (replica.phase()) {
            case STARTING -> ReplicaState.STARTING;
            case RUNNING -> ReplicaState.RUNNING;
            case DRAINING, STOPPED -> ReplicaState.DRAINING;
            case FAILED -> ReplicaState.FAILED;
        };
    }
}
