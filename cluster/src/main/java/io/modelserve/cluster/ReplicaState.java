package io.modelserve.cluster;

/** The one word {@code modelserve status} prints for a replica. */
public enum ReplicaState {
    /** Wanted but not yet started: no node has room, or its node has not picked it up yet. */
    PENDING,
    /** Its node is fetching artifacts or running {@code init}. */
    STARTING,
    /** Ready and taking traffic. */
    RUNNING,
    /** Taking no new traffic, finishing what it has queued, then stopping. */
    DRAINING,
    /** {@code init} threw, or the replica became unhealthy; retried with backoff. */
    FAILED
}
