package io.modelserve.agent.runtime;

import io.modelserve.cluster.ReplicaAssignment;
import java.util.List;
import java.util.Map;

/**
 * What the node's loop sees of a replica and may do with it: read its phase and report, start,
 * reconfigure, drain, and let its watchdog replace it. {@link Replica} in production; in the loop's
 * tests a fake whose phase the test sets, so the loop is tested without threads.
 */
public interface ManagedReplica {
    String id();

    ReplicaAssignment assignment();

    Replica.Phase phase();

    void start();

    void reconfigure(Map<String, String> config, String digest);

    void drain();

    /** Abandons the replica if its current plugin call has hung (see {@link Watchdog}); whether it did now. */
    boolean abandonIfHung();

    String lastError();

    String appliedConfigDigest();

    /** Requests running or queued now: its load. */
    int ongoing();

    long createdAtMillis();

    /** A multiplexed section's models loaded on it now, sorted; empty otherwise. */
    default List<String> loadedModels() {
        return List.of();
    }
}
