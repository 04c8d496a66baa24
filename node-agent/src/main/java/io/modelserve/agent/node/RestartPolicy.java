package io.modelserve.agent.node;

/**
 * How a node restarts a failed replica: after a backoff that doubles with every restart of the same
 * replica, from {@code initialBackoffMillis} up to {@code maxBackoffMillis}. Immutable; the per-replica
 * count and due time are {@link ReplicaSlot}'s. When a hung call counts as failed is the replica's
 * {@code Watchdog} rule (twice {@code timeout_ms}, at least 5 s; {@code init()} 5 minutes).
 */
public record RestartPolicy(long initialBackoffMillis, long maxBackoffMillis) {
    /** 1 s, 2 s, 4 s ... up to a minute, as kubelet does for a crashing container. */
    public static final RestartPolicy DEFAULT = new RestartPolicy(1_000, 60_000);

    public RestartPolicy {
        if (initialBackoffMillis <= 0 || maxBackoffMillis < initialBackoffMillis) {
            throw new IllegalArgumentException("backoff " + initialBackoffMillis + ".." + maxBackoffMillis + " ms");
        }
    }

    /** The wait before the next start of a replica already restarted {@code restarts} times. */
    public long backoffMillis(int restarts) {
        int doublings = Math.min(restarts, 30);
        long backoff = initialBackoffMillis << doublings;
        return backoff <= 0 || backoff > maxBackoffMillis ? maxBackoffMillis : backoff;
    }
}
