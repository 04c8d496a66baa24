package io.modelserve.agent.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a request to a replica on another node, over pooled keep-alive HTTP/1.1 connections to
 * that node's internal {@code /-/replica/<id>} endpoint, and tracks how many requests each remote
 * replica has outstanding from this node (the router's load signal for remote replicas).
 */
public final class Forwarder {
    static final String REFUSED_HEADER = "X-Modelserve-Refused";
    static final String DEADLINE_HEADER = "X-Modelserve-Timeout-Ms";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final Map<String, java.util.Set<java.util.concurrent.CompletableFuture<?>>> inFlightByNode = new ConcurrentHashMap<>();
    private final String clusterSecret;

    public Forwarder(String clusterSecret) {
        this.clusterSecret = clusterSecret == null ? "" : clusterSecret;
    }

    /** How a forwarded request ended. */
    sealed interface Result {}

    /** The remote node answered (any status). */
    record Answered(int status, JsonNode body, String retryAfter) implements Result {}

    /** The remote refused before running it (queue full, replica not there): try another. */
    record Refused(boolean full) implements Result {}

    /** The connection failed; {@code maybeRan} when it failed after the request was sent. */
    record Lost(String why, boolean maybeRan) implements Result {}

    /** No answer within the deadline. */
    record TimedOut() implements Result {}

    private final Map<String, Long> suspectUntil = new ConcurrentHashMap<>();
    private static final long SUSPECT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    /**
     * A connection to {@code node} just broke: avoid it for a moment. The cluster takes a little
     * longer to declare it dead, and every request sent there meanwhile would be lost too.
     */
    void suspect(String node) {
        suspectUntil.put(node, System.nanoTime() + SUSPECT_NANOS);
    }

    boolean isSuspect(String node) {
        Long until = suspectUntil.get(node);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() > until) {
            suspectUntil.remove(node, until);
            return false;
        }
        return true;
    }

    int outstanding(String replicaId) {
        AtomicInteger count = outstanding.get(replicaId);
        return count == null ? 0 : count.get();
    }

    Result forward(RemoteReplica target, Request request, long timeoutMillis) {
        byte[] frame;
        try {
            frame = ForwardFrame.encode(asJsonRequest(request));
        } catch (IOException e) {
            return new Answered(500, error("cannot encode request for forwarding: " + e.getMessage()), null);
        }
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(target.baseUrl() + "/-/replica/" + target.replicaId()))
                .timeout(Duration.ofMillis(Math.max(1, timeoutMillis)))
                .header("Content-Type", ForwardFrame.CONTENT_TYPE)
                .header(ForwardFrame.ORIGINAL_TYPE_HEADER, request.contentType())
                .header(DEADLINE_HEADER, String.valueOf(timeoutMillis))
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame));
        if (!clusterSecret.isEmpty()) {
            call.header(ReplicaEndpoint.SECRET_HEADER, clusterSecret);
        }
        AtomicInteger count = outstanding.computeIfAbsent(target.replicaId(), id -> new AtomicInteger());
        count.incrementAndGet();
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> pending =
                http.sendAsync(call.build(), HttpResponse.BodyHandlers.ofByteArray());
        java.util.Set<java.util.concurrent.CompletableFuture<?>> nodeCalls =
                inFlightByNode.computeIfAbsent(target.node(), n -> ConcurrentHashMap.newKeySet());
        nodeCalls.add(pending);
        try {
            HttpResponse<byte[]> response = await(pending, timeoutMillis);
            String refused = response.headers().firstValue(REFUSED_HEADER).orElse(null);
            if (refused != null) {
                return new Refused("full".equals(refused));
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = error("node " + target.node() + " answered " + response.statusCode() + " without JSON");
            }
            return new Answered(response.statusCode(), body, response.headers().firstValue("Retry-After").orElse(null));
        } catch (HttpTimeoutException e) {
            return new TimedOut();
        } catch (java.net.ConnectException e) {
            return new Lost("cannot connect to " + target.node() + ": " + e.getMessage(), false);
        } catch (IOException e) {
            return new Lost("connection to " + target.node() + " lost: " + e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Lost("interrupted", true);
        } finally {
            nodeCalls.remove(pending);
            count.decrementAndGet();
        }
    }

    /**
     * Fails every call in flight to {@code nodeId}: its member left the cluster (killed, or frozen
     * past the failure timeout). A frozen node never closes its connections, so without this its
     * callers would wait for their whole timeout instead of being retried elsewhere now.
     */
    public void abandonNode(String nodeId) {
        java.util.Set<java.util.concurrent.CompletableFuture<?>> calls = inFlightByNode.remove(nodeId);
        if (calls != null) {
            calls.forEach(call -> call.completeExceptionally(new IOException("node " + nodeId + " left the cluster")));
        }
    }

    private static HttpResponse<byte[]> await(java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> pending,
            long timeoutMillis) throws IOException, InterruptedException {
        try {
            return pending.get(timeoutMillis + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw new HttpTimeoutException("no answer within " + timeoutMillis + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Drops load counters of replicas that no longer exist. */
    void retain(java.util.Set<String> replicaIds) {
        outstanding.keySet().retainAll(replicaIds);
    }

    private static JsonRequest asJsonRequest(Request request) {
        if (request instanceof JsonRequest json) {
            return json;
        }
        ObjectNode params = request.params() instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
        return new JsonRequest(params, request.body(), request.contentType());
    }

    private static JsonNode error(String message) {
        return JsonNodeFactory.instance.objectNode().put("status", 0).put("error", message);
    }
}
