package io.modelserve.agent.runtime;

/**
 * The replica stopped before it ran the job (drained, failed, unhealthy). The job was never
 * passed to the plugin, so the router may safely send it to another replica.
 */
public final class ReplicaGoneException extends RuntimeException {
    public ReplicaGoneException(String replicaId, String why) {
        super("replica " + replicaId + " stopped before running the request: " + why, null, false, false);
    }
}
