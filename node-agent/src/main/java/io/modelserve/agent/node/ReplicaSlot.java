package io.modelserve.agent.node;

import io.modelserve.agent.runtime.ManagedReplica;

/**
 * A replica id's local history on this node: the instance running now, how often it was restarted,
 * when a failed one is due to start again, and which config it was last asked to apply. Restart
 * state, apart from the {@link RestartPolicy}. Written by the loop thread only; {@link #replica()} is
 * volatile because routing reads it from request threads.
 */
final class ReplicaSlot<R extends ManagedReplica> {
    private volatile R replica;
    private int restarts;
    private long retryAtMillis;
    private String requestedConfigDigest;

    ReplicaSlot(R replica) {
        this.replica = replica;
        this.requestedConfigDigest = replica.assignment().spec().configDigest();
    }

    R replica() {
        return replica;
    }

    int restarts() {
        return restarts;
    }

    /** 0 while no restart is scheduled. */
    long retryAtMillis() {
        return retryAtMillis;
    }

    void scheduleRestart(long atMillis) {
        retryAtMillis = atMillis;
    }

    /** The next instance took over: one restart more, none scheduled. */
    void restarted(R next) {
        replica = next;
        restarts++;
        retryAtMillis = 0;
        requestedConfigDigest = next.assignment().spec().configDigest();
    }

    String requestedConfigDigest() {
        return requestedConfigDigest;
    }

    void requestedConfig(String digest) {
        requestedConfigDigest = digest;
    }
}
