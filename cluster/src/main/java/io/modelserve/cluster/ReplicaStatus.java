package io.modelserve.cluster;

import io.modelserve.sdk.Device;

/**
 * What a node reports about a replica it runs. Written only by that node.
 *
 * @param configDigest the {@code config.*} digest the replica last applied successfully
 * @param lastError    the latest failure (init, reconfigure, health), kept after recovery for context
 * @param restarts     how many times the node restarted this replica after a failure
 * @param ongoing      requests queued or running on it at the time of the report
 * @param models       a multiplexed section's models loaded on it, sorted (empty otherwise, and in older state)
 */
public record ReplicaStatus(String replicaId, String deployment, String version, String node, Device device,
        ReplicaState state, String configDigest, String lastError, int restarts, long sinceMillis,
        long startedAtMillis, int ongoing, java.util.List<String> models) {

    public ReplicaStatus {
        models = models == null ? java.util.List.of() : java.util.List.copyOf(models);
    }

    public ReplicaStatus(String replicaId, String deployment, String version, String node, Device device,
            ReplicaState state, String configDigest, String lastError, int restarts, long sinceMillis,
            long startedAtMillis, int ongoing) {
        this(replicaId, deployment, version, node, device, state, configDigest, lastError, restarts, sinceMillis,
                startedAtMillis, ongoing, java.util.List.of());
    }

    public ReplicaStatus withState(ReplicaState newState, long now) {
        return new ReplicaStatus(replicaId, deployment, version, node, device, newState, configDigest, lastError,
                restarts, newState == state ? sinceMillis : now, startedAtMillis, ongoing, models);
    }
}
