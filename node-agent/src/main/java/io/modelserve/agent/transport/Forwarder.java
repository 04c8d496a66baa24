package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.http.ChunkStreamWriter;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.PooledJson;
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
    static final String DEADLINE_HEADER = "X-Modelserve-Timeout-Ms";
    private static final ObjectMapper JSON = PooledJson.mapper();

    private final NodeConnections connections = new NodeConnections();
    private final Map<String, String> nodeUrls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final String clusterSecret;
    private final PeerLiveness liveness;
    private final PeerProbe probe;
    private final long firstByteMillis;

    /**
     * The first-byte deadline: well above a loopback or LAN round trip and a GC pause, well below
     * the cluster's own failure detection (seconds), so that a frozen peer costs about this plus a probe.
     */
    public static final long DEFAULT_FIRST_BYTE_MILLIS =
            Long.getLong("modelserve.forward.firstByteMs", 500);

    /**
     * How much longer than the request's deadline a forward waits for the answer. The peer times the
     * request out itself at that deadline (it comes in {@link #DEADLINE_HEADER}) and says which replica
     * did not answer; this lets its 504 arrive, rather than racing it with one of our own.
     */
    static final long ANSWER_GRACE_MILLIS = 300;

    public Forwarder(String clusterSecret) {
        this(clusterSecret, new PeerLiveness());
    }

    public Forwarder(String clusterSecret, PeerLiveness liveness) {
        this(clusterSecret, liveness, DEFAULT_FIRST_BYTE_MILLIS);
    }

    /**
     * @param firstByteMillis how long a forward waits for the first byte of an answer before it
     *                        probes the peer (see {@link #forward(RemoteReplica, Request, long, boolean, boolean)})
     */
    public Forwarder(String clusterSecret, PeerLiveness liveness, long firstByteMillis) {
        this.clusterSecret = clusterSecret == null ? "" : clusterSecret;
        this.liveness = liveness;
        this.firstByteMillis = firstByteMillis;
        this.probe = new PeerProbe(liveness, nodeUrls::get);
        liveness.onDead(this::abandonNode);
        liveness.onSuspect(probe::watch);
    }

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

    public Delivery forward(RemoteReplica target, Request request, long timeoutMillis) {
        return forward(target, request, timeoutMillis, false, true);
    }

    /**
     * Sends a request to a remote replica. When no byte of the answer came within the first-byte
     * deadline, the peer is probed: a peer that answers the probe is merely slow and the wait goes
     * on; one that does not is made SUSPECT (new requests avoid it at once), and this request is
     * given up on if {@code giveUpWhenUnresponsive} (it may have run: the caller's retry decision
     * says whether it may run elsewhere) or else waited for until its deadline.
     *
     * @param stream the caller can pass a stream on: a streaming backend answers with a stream id (ReplicaEndpoint)
     */
    public Delivery forward(RemoteReplica target, Request request, long timeoutMillis, boolean stream,
            boolean giveUpWhenUnresponsive) {
        byte[] frame;
        try {
            frame = ForwardFrame.encode(asJsonRequest(request));
        } catch (IOException e) {
            return new Delivery.Answered(500, error("cannot encode request for forwarding: " + e.getMessage()), null);
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Content-Type", ForwardFrame.CONTENT_TYPE);
        headers.put(ForwardFrame.ORIGINAL_TYPE_HEADER, request.contentType().isEmpty() ? "-" : request.contentType());
        headers.put(DEADLINE_HEADER, String.valueOf(timeoutMillis));
        if (!request.subPath().isEmpty()) {
            // As it came in the URL: percent-encoded, so always a valid header value.
            headers.put(ForwardFrame.SUB_PATH_HEADER, request.subPath());
        }
        if (!clusterSecret.isEmpty()) {
            headers.put(ReplicaEndpoint.SECRET_HEADER, clusterSecret);
        }
        if (stream) {
            headers.put(ChunkStreamWriter.STREAM_HEADER, "1");
        }
        String node = target.node();
        nodeUrls.put(node, target.baseUrl());
        // Alive if it answered anything since the last look (it is only slow with this request), or
        // answers a probe now. Since the last look, not since the request was sent: an answer that
        // arrived just before the node froze must not vouch for it at every later look.
        long[] lastLook = {liveness.now()};
        NodeConnections.FirstByteWatch watch = () -> {
            long since = lastLook[0];
            lastLook[0] = liveness.now();
            if (liveness.heardSince(node, since) || probe.alive(node)) {
                return true;
            }
            liveness.suspect(node);
            return !giveUpWhenUnresponsive;
        };
        AtomicInteger count = outstanding.computeIfAbsent(target.replicaId(), id -> new AtomicInteger());
        count.incrementAndGet();
        try {
            NodeConnections.Response response = connections.post(target.baseUrl(), "/-/replica/" + target.replicaId(), headers,
                    frame, timeoutMillis + ANSWER_GRACE_MILLIS, firstByteMillis, watch);
            liveness.heardFrom(node);
            io.modelserve.agent.runtime.RunTiming timing = io.modelserve.agent.runtime.RunTiming.parse(
                    response.header(io.modelserve.agent.runtime.RunTiming.HEADER));
            if (String.valueOf(response.header("content-type")).startsWith(ResponseFrame.CONTENT_TYPE)) {
                return ResponseFrame.decode(response.body())
                        .<Delivery>map(shaped -> new Delivery.Answered(200, JsonNodeFactory.instance.objectNode().put("status", 1),
                                null, shaped, timing))
                        .orElseGet(() -> new Delivery.Answered(502, error("node " + node + " answered a malformed response frame"), null));
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = error("node " + node + " answered " + response.status() + " without JSON");
            }
            String refused = response.header(Refusal.HEADER);
            if (refused != null) {
                return new Delivery.Refused(Refusal.parse(refused), body.path("error").asText(refused));
            }
            return new Delivery.Answered(response.status(), body, response.header("retry-after"), null, timing);
        } catch (NodeConnections.NotSent e) {
            // No connection: the node is gone or going; the probe ends the suspicion if it was a blip.
            liveness.suspect(node);
            return new Delivery.NotSent(e.getMessage());
        } catch (NodeConnections.NoAnswer e) {
            if (e.deadlinePassed) {
                return new Delivery.TimedOut(e.getMessage());
            }
            liveness.suspect(node);
            return new Delivery.MayHaveRun(e.getMessage());
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
        return new JsonRequest(params, request.body(), request.contentType(), request.subPath(), request.headers());
    }

    private static JsonNode error(String message) {
        return JsonNodeFactory.instance.objectNode().put("status", 0).put("error", message);
    }
}
