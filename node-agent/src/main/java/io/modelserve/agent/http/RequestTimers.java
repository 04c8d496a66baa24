package io.modelserve.agent.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.modelserve.cluster.DeploymentSpec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code modelserve.requests}: one timer per deployment, replica and status of what this node's
 * front doors answered, kept only for replicas that still exist.
 */
final class RequestTimers implements RequestLog {
    private final String nodeId;
    private final MeterRegistry meters;
    private final java.util.function.Supplier<java.time.Duration[]> buckets;

    /** @param buckets {@code latency_buckets_ms} as it is when a timer is made */
    RequestTimers(String nodeId, MeterRegistry meters, java.util.function.Supplier<java.time.Duration[]> buckets) {
        this.nodeId = nodeId;
        this.meters = meters;
        this.buckets = buckets;
    }

    private record TimerKey(String deployment, String replica, int status) {}

    /** Timers by key: building and registering a meter per request would cost more than the request. */
    private final ConcurrentHashMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    /**
     * The common case, a 200 from a replica, by replica id alone (ids are unique across deployments):
     * one lookup of a string whose hash is cached, no key built per request.
     */
    private final ConcurrentHashMap<String, Timer> servedTimers = new ConcurrentHashMap<>();

    /**
     * Drops the request timers of replicas not in {@code replicaIds} (gone from this node and from
     * the cluster's view), and their series from the registry: a node that has run thousands of
     * replicas over its life keeps timers for the ones that exist, not for every one it ever saw.
     */
    void retain(Set<String> replicaIds) {
        servedTimers.keySet().retainAll(replicaIds);
        timers.entrySet().removeIf(entry -> {
            String replica = entry.getKey().replica();
            if (NO_REPLICA.equals(replica) || replicaIds.contains(replica)) {
                return false;
            }
            meters.remove(entry.getValue());
            return true;
        });
    }

    /** How many timers are held. */
    int size() {
        return timers.size();
    }

    private static final String NO_REPLICA = "none";

    @Override
    public void record(DeploymentSpec spec, String replicaId, int status, long startedNanos) {
        long elapsed = System.nanoTime() - startedNanos;
        if (status == 200 && replicaId != null) {
            Timer served = servedTimers.get(replicaId);
            if (served == null) {
                served = timer(new TimerKey(spec.name(), replicaId, 200));
                servedTimers.put(replicaId, served);
            }
            served.record(elapsed, TimeUnit.NANOSECONDS);
            return;
        }
        timer(new TimerKey(spec.name(), replicaId == null ? NO_REPLICA : replicaId, status)).record(elapsed, TimeUnit.NANOSECONDS);
    }

    private Timer timer(TimerKey key) {
        return timers.computeIfAbsent(key, k -> Timer.builder("modelserve.requests")
                .description("Requests answered by the ingress, by deployment, replica and HTTP status")
                .tags("deployment", k.deployment(), "replica", k.replica(), "status", String.valueOf(k.status()), "node", nodeId)
                .serviceLevelObjectives(buckets.get())
                .register(meters));
    }
}
