package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.http.ChunkStreamWriter;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    private final NodeConnections connections = new NodeConnections();
    private final Map<String, String> nodeUrls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final String clusterSecret;
    private final PeerLiveness liveness;
    private final PeerProbe probe;

    public Forwarder(String clusterSecret) {
        this(clusterSecret, new PeerLiveness());
    }

    public Forwarder(String clusterSecret, PeerLiveness liveness) {
        this.clusterSecret = clusterSecret == null ? "" : clusterSecret;
        this.liveness = liveness;
        this.probe = new PeerProbe(liveness, nodeUrls::get);
        liveness.onDead(this::abandonNode);
        liveness.onSuspect(probe::watch);
    }

    /** How a forwarded request ended. */
    public sealed interface Result {}

    /** The remote node answered (any status). */
    public record Answered(int status, JsonNode body, String retryAfter) implements Result {}

    /** The remote refused before running it (queue full, replica not there): try another. */
    public record Refused(boolean full) implements Result {}

    /** The connection failed; {@code maybeRan} when it failed after the request was sent. */
    public record Lost(String why, boolean maybeRan) implements Result {}

    /** No answer within the deadline. */
    public record TimedOut() implements Result {}

    /** What this node believes of its peers; a forward that finds a peer frozen or gone tells it here. */
    public PeerLiveness liveness() {
        return liveness;
    }

    /** For fetching a stream from another node, which checks it as it does for forwarded requests. */
    public String clusterSecret() {
        return clusterSecret;
    }

    public int outstanding(String replicaId) {
        AtomicInteger count = outstanding.get(replicaId);
        return count == null ? 0 : count.get();
    }

    public Result forward(RemoteReplica target, Request request, long timeoutMillis) {
        return forward(target, request, timeoutMillis, false);
    }

    /** @param stream the caller can pass a stream on: a streaming backend answers with a stream id (ReplicaEndpoint) */
    public Result forward(RemoteReplica target, Request request, long timeoutMillis, boolean stream) {
        byte[] frame;
        try {
            frame = ForwardFrame.encode(asJsonRequest(request));
        } catch (IOException e) {
            return new Answered(500, error("cannot encode request for forwarding: " + e.getMessage()), null);
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", ForwardFrame.CONTENT_TYPE);
        headers.put(ForwardFrame.ORIGINAL_TYPE_HEADER, request.contentType().isEmpty() ? "-" : request.contentType());
        headers.put(DEADLINE_HEADER, String.valueOf(timeoutMillis));
        if (!clusterSecret.isEmpty()) {
            headers.put(ReplicaEndpoint.SECRET_HEADER, clusterSecret);
        }
        if (stream) {
            headers.put(ChunkStreamWriter.STREAM_HEADER, "1");
        }
        nodeUrls.put(target.node(), target.baseUrl());
        AtomicInteger count = outstanding.computeIfAbsent(target.replicaId(), id -> new AtomicInteger());
        count.incrementAndGet();
        try {
            NodeConnections.Response response = connections.post(target.baseUrl(), "/-/replica/" + target.replicaId(), headers,
                    frame, timeoutMillis + 1_000);
            liveness.heardFrom(target.node());
            String refused = response.header(REFUSED_HEADER);
            if (refused != null) {
                return new Refused("full".equals(refused));
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = error("node " + target.node() + " answered " + response.status() + " without JSON");
            }
            return new Answered(response.status(), body, response.header("retry-after"));
        } catch (java.net.SocketTimeoutException e) {
            return new TimedOut();
        } catch (java.net.ConnectException | java.net.NoRouteToHostException e) {
            return new Lost("cannot connect to " + target.node() + ": " + e.getMessage(), false);
        } catch (IOException e) {
            return new Lost("connection to " + target.node() + " lost: " + e.getMessage(), true);
        } finally {
            count.decrementAndGet();
        }
    }

    /**
     * Fails every call in flight to {@code nodeId}: its member left the cluster (killed, or frozen
     * past the failure timeout), as {@link PeerLiveness} tells. A frozen node never closes its connections, so without this its
     * callers would wait for their whole timeout instead of being retried elsewhere now.
     */
    private void abandonNode(String nodeId) {
        String url = nodeUrls.get(nodeId);
        if (url != null) {
            connections.abandon(url);
        }
    }

    /** Drops load counters of replicas that no longer exist. */
    public void retain(java.util.Set<String> replicaIds) {
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
