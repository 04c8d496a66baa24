package io.modelserve.agent.queue;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.modelserve.cluster.ServeSettings;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cluster-wide structures of the async queue (the pub/sub style of Cluster Serving):
 * one Hazelcast queue of request ids per deployment, a map of requests (raw bytes, see
 * {@link QueueRecords}), a map of results, and a map of requests taken by a node and not yet finished.
 * All have backups, so any one node may die at any time; a request taken by a node that died is put
 * back in its queue. Requests and results live {@code queue_result_ttl_s}; their bytes count against
 * the cluster-wide {@code queue_max_bytes} ({@link QueueBytes}) until they are gone.
 */
public final class AsyncQueue implements AutoCloseable {
    /**
     * Charged per request besides its payload: its state record, its id in the queue, its ledger and
     * taken entries. Small, but without it a flood of empty posts would be free.
     */
    static final long RECORD_BYTES = 256;

    private static final String REQUESTS = "modelserve.queue.requests";
    private static final String RESULTS = "modelserve.queue.results";
    private static final String TAKEN = "modelserve.queue.taken";

    private final HazelcastInstance hazelcast;
    private final Supplier<ServeSettings.MemoryLimits> limits;
    private final QueueBytes bytes;
    private static final long RECOUNT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private volatile long lastRecount = System.nanoTime() - RECOUNT_NANOS;
    /** Every value of the maps below is sealed like a StateMap's; one that does not verify is absent. */
    private final QueueRecords records;

    /** How {@link #enqueue} ended. */
    enum Accepted {
        ACCEPTED,
        /** The deployment's queue holds as many requests as it may. */
        QUEUE_FULL,
        /** The cluster holds {@code queue_max_bytes} of queued work and results. */
        BYTES_FULL
    }

    public AsyncQueue(HazelcastInstance hazelcast, Supplier<ServeSettings.MemoryLimits> limits) {
        this.hazelcast = hazelcast;
        this.limits = limits;
        this.bytes = new QueueBytes(hazelcast);
        this.records = new QueueRecords(new io.modelserve.cluster.ClusterState(hazelcast).seal());
    }

    private String sealed(String map, String id, String value) {
        return records.seal().seal(map, id, value);
    }

    private String opened(String map, String id, String stored) {
        return stored == null ? null : records.seal().open(map, id, stored).orElse(null);
    }

    private IQueue<String> queue(String deployment) {
        return new io.modelserve.cluster.ClusterState(hazelcast).workQueue(deployment);
    }

    /** Values are byte frames; typed Object, as a forged entry may be anything. */
    private IMap<String, Object> requests() {
        return hazelcast.getMap(REQUESTS);
    }

    private IMap<String, String> results() {
        return hazelcast.getMap(RESULTS);
    }

    /** request id -> node that took it. */
    private IMap<String, String> taken() {
        return hazelcast.getMap(TAKEN);
    }

    private long ttl() {
        return limits.get().queueResultTtlSeconds();
    }

    /** The limits this queue enforces now. */
    ServeSettings.MemoryLimits limits() {
        return limits.get();
    }

    /** Bytes the cluster's queue holds now, as counted against {@code queue_max_bytes}. */
    long storedBytes() {
        return bytes.total();
    }

    /** Stores the request and queues it, if the deployment's queue and the byte cap have room. */
    Accepted enqueue(QueuedRequest request) {
        byte[] frame = records.encode(REQUESTS, request);
        ServeSettings.MemoryLimits now = limits.get();
        if (!bytes.tryCharge(request.id(), frame.length + RECORD_BYTES, now.queueMaxBytes(), now.queueResultTtlSeconds())) {
            return Accepted.BYTES_FULL;
        }
        long ttl = now.queueResultTtlSeconds();
        requests().set(request.id(), frame, ttl, TimeUnit.SECONDS);
        results().set(request.id(), state(request.id(), QueuedResult.PENDING, null), ttl, TimeUnit.SECONDS);
        if (!queue(request.deployment()).offer(request.id())) {
            requests().delete(request.id());
            results().delete(request.id());
            bytes.refund(request.id());
            return Accepted.QUEUE_FULL;
        }
        return Accepted.ACCEPTED;
    }

    /** Takes the next request of {@code deployment} for {@code node}, waiting up to {@code millis}. */
    Optional<QueuedRequest> take(String deployment, String node, long millis) throws InterruptedException {
        String id = queue(deployment).poll(millis, TimeUnit.MILLISECONDS);
        if (id == null) {
            return Optional.empty();
        }
        Optional<QueuedRequest> request = records.decode(REQUESTS, id, requests().get(id));
        if (request.isEmpty()) {
            return Optional.empty(); // expired before anyone took it, or forged
        }
        taken().set(id, sealed(TAKEN, id, node));
        results().set(id, state(id, QueuedResult.RUNNING, node), ttl(), TimeUnit.SECONDS);
        return request;
    }

    /** Returns a taken request to its queue (no replica could take it now); it runs later. */
    void putBack(QueuedRequest request) {
        results().set(request.id(), state(request.id(), QueuedResult.PENDING, null), ttl(), TimeUnit.SECONDS);
        taken().delete(request.id());
        queue(request.deployment()).offer(request.id());
    }

    /** Stores the result in place of the request; its bytes count from now until it expires. */
    void finish(QueuedResult result) {
        String json = sealed(RESULTS, result.id(), QueueRecords.encode(result));
        long ttl = ttl();
        results().set(result.id(), json, ttl, TimeUnit.SECONDS);
        requests().delete(result.id());
        taken().delete(result.id());
        bytes.recharge(result.id(), json.getBytes(StandardCharsets.UTF_8).length + RECORD_BYTES, ttl);
    }

    /**
     * What waits in {@code deployment}'s queue: how many requests, and how long the one next in line
     * has waited since it was accepted (0 when none waits). Next in line is the oldest, except a
     * request put back after no replica could take it, which waits at the back again.
     */
    Waiting waiting(String deployment, long nowMillis) {
        IQueue<String> queue = queue(deployment);
        int size = queue.size();
        String next = size == 0 ? null : queue.peek();
        long ageMillis = next == null ? 0 : records.decode(REQUESTS, next, requests().get(next))
                .map(request -> Math.max(0, nowMillis - request.acceptedAtMillis())).orElse(0L);
        return new Waiting(size, ageMillis);
    }

    /** A deployment's queue at one moment. */
    record Waiting(int depth, long oldestAgeMillis) {}

    Optional<QueuedResult> result(String id) {
        return QueueRecords.decodeResult(opened(RESULTS, id, results().get(id)));
    }

    /**
     * Puts back in their queues the requests taken by nodes that are no longer alive. Safe to run on
     * every node at once: the conditional remove lets exactly one of them requeue each request.
     * Such a request may have run on the lost node, so it runs again only if its deployment allows
     * that ({@code mayRunAgain}: {@code retry = true}); otherwise it finishes FAILED with a 502, as a
     * synchronous request would.
     */
    public int requeueTakenBy(Set<String> liveNodes, java.util.function.Predicate<String> mayRunAgain) {
        int requeued = 0;
        for (var entry : taken().entrySet()) {
            String takenBy = opened(TAKEN, entry.getKey(), entry.getValue());
            if (takenBy == null || liveNodes.contains(takenBy)) {
                continue;
            }
            if (taken().remove(entry.getKey(), entry.getValue())) {
                Optional<QueuedRequest> request = records.decode(REQUESTS, entry.getKey(), requests().get(entry.getKey()));
                if (request.isPresent() && !mayRunAgain.test(request.get().deployment())) {
                    finish(new QueuedResult(entry.getKey(), QueuedResult.FAILED, 502, com.fasterxml.jackson.databind.node
                            .JsonNodeFactory.instance.objectNode().put("status", 0).put("error", "the node running "
                            + request.get().deployment() + " (" + takenBy + ") was lost while answering; not retried"
                            + " (retry = false)"), takenBy, System.currentTimeMillis()));
                } else if (request.isPresent()) {
                    results().set(entry.getKey(), state(entry.getKey(), QueuedResult.PENDING, null), ttl(), TimeUnit.SECONDS);
                    queue(request.get().deployment()).offer(entry.getKey());
                    requeued++;
                }
            }
        }
        return requeued;
    }

    /**
     * Repairs the cluster's byte count from its ledger, when this member is the oldest (one member
     * does it, whichever it is now). Returns the bytes counted, or -1 when another member does it.
     */
    public long recountIfOldest() {
        long now = System.nanoTime();
        if (now - lastRecount < RECOUNT_NANOS || !hazelcast.getCluster().getMembers().iterator().next().localMember()) {
            return -1;
        }
        lastRecount = now;
        return bytes.recount();
    }

    /** Forces the next {@link #recountIfOldest()} to run (tests). */
    void recountSoon() {
        lastRecount = System.nanoTime() - RECOUNT_NANOS;
    }

    private String state(String id, String state, String node) {
        return sealed(RESULTS, id, QueueRecords.encode(new QueuedResult(id, state, 0, null, node, System.currentTimeMillis())));
    }

    @Override
    public void close() {
        bytes.close();
    }
}
