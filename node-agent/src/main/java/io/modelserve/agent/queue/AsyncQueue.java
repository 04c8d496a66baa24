package io.modelserve.agent.queue;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.modelserve.cluster.ClusterJson;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The cluster-wide structures of the async queue (the pub/sub style of Cluster Serving):
 * one Hazelcast queue of request ids per deployment, a map of requests, a map of results with a
 * time-to-live, and a map of requests taken by a node and not yet finished. All have a backup, so
 * any one node may die at any time; a request taken by a node that died is put back in its queue.
 */
public final class AsyncQueue {
    static final long RESULT_TTL_SECONDS = 3_600;

    private static final String REQUESTS = "modelserve.queue.requests";
    private static final String RESULTS = "modelserve.queue.results";
    private static final String TAKEN = "modelserve.queue.taken";

    private final HazelcastInstance hazelcast;
    /** Every value of the maps below is sealed like a StateMap's; one that does not verify is absent. */
    private final io.modelserve.cluster.EntrySeal seal;

    public AsyncQueue(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.seal = new io.modelserve.cluster.ClusterState(hazelcast).seal();
    }

    private String sealed(String map, String id, String value) {
        return seal.seal(map, id, value);
    }

    private String opened(String map, String id, String stored) {
        return stored == null ? null : seal.open(map, id, stored).orElse(null);
    }

    private IQueue<String> queue(String deployment) {
        return new io.modelserve.cluster.ClusterState(hazelcast).workQueue(deployment);
    }

    private IMap<String, String> requests() {
        return hazelcast.getMap(REQUESTS);
    }

    private IMap<String, String> results() {
        return hazelcast.getMap(RESULTS);
    }

    /** request id -> node that took it. */
    private IMap<String, String> taken() {
        return hazelcast.getMap(TAKEN);
    }

    /** Stores the request and queues it; false when the deployment's queue is full. */
    boolean enqueue(QueuedRequest request) {
        requests().set(request.id(), sealed(REQUESTS, request.id(), ClusterJson.write(request)), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
        results().set(request.id(), sealed(RESULTS, request.id(), ClusterJson.write(new QueuedResult(request.id(),
                QueuedResult.PENDING, 0, null, null, System.currentTimeMillis()))), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
        if (!queue(request.deployment()).offer(request.id())) {
            requests().delete(request.id());
            results().delete(request.id());
            return false;
        }
        return true;
    }

    /** Takes the next request of {@code deployment} for {@code node}, waiting up to {@code millis}. */
    Optional<QueuedRequest> take(String deployment, String node, long millis) throws InterruptedException {
        String id = queue(deployment).poll(millis, TimeUnit.MILLISECONDS);
        if (id == null) {
            return Optional.empty();
        }
        String json = opened(REQUESTS, id, requests().get(id));
        if (json == null) {
            return Optional.empty(); // expired before anyone took it, or forged
        }
        taken().set(id, sealed(TAKEN, id, node));
        results().set(id, sealed(RESULTS, id, ClusterJson.write(new QueuedResult(id, QueuedResult.RUNNING, 0, null, node,
                System.currentTimeMillis()))), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
        return Optional.of(ClusterJson.read(json, QueuedRequest.class));
    }

    /** Returns a taken request to its queue (no replica could take it now); it runs later. */
    void putBack(QueuedRequest request) {
        results().set(request.id(), sealed(RESULTS, request.id(), ClusterJson.write(new QueuedResult(request.id(),
                QueuedResult.PENDING, 0, null, null, System.currentTimeMillis()))), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
        taken().delete(request.id());
        queue(request.deployment()).offer(request.id());
    }

    void finish(QueuedResult result) {
        results().set(result.id(), sealed(RESULTS, result.id(), ClusterJson.write(result)), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
        requests().delete(result.id());
        taken().delete(result.id());
    }

    Optional<QueuedResult> result(String id) {
        String json = opened(RESULTS, id, results().get(id));
        return json == null ? Optional.empty() : Optional.of(ClusterJson.read(json, QueuedResult.class));
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
                String json = opened(REQUESTS, entry.getKey(), requests().get(entry.getKey()));
                if (json != null) {
                    QueuedRequest request = ClusterJson.read(json, QueuedRequest.class);
                    if (!mayRunAgain.test(request.deployment())) {
                        finish(new QueuedResult(request.id(), QueuedResult.FAILED, 502, com.fasterxml.jackson.databind.node
                                .JsonNodeFactory.instance.objectNode().put("status", 0).put("error", "the node running "
                                + request.deployment() + " (" + takenBy + ") was lost while answering; not retried"
                                + " (retry = false)"), takenBy, System.currentTimeMillis()));
                        continue;
                    }
                    results().set(request.id(), sealed(RESULTS, request.id(), ClusterJson.write(new QueuedResult(request.id(),
                            QueuedResult.PENDING, 0, null, null, System.currentTimeMillis()))), RESULT_TTL_SECONDS, TimeUnit.SECONDS);
                    queue(request.deployment()).offer(request.id());
                    requeued++;
                }
            }
        }
        return requeued;
    }
}
