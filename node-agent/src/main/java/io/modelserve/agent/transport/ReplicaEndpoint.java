package io.modelserve.agent.transport;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.ChunkStreamWriter;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.runtime.ChunkSource;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.agent.runtime.Replica;
import java.util.Map;
import java.util.Optional;

/**
 * The internal endpoint another node forwards to: {@code POST /-/replica/<id>} runs the request on
 * that local replica, never forwarding it again (one hop at most). A replica that is not here or
 * cannot take it is refused with a {@link Refusal} code in a header, which the forwarder reads as
 * "not run: try another one"; every other answer, errors included, is the request's own. A streamed answer
 * is parked and its id returned; the forwarding node fetches the chunks from {@code GET /-/stream/<id>}.
 */
public final class ReplicaEndpoint implements Ingress.Extension {
    static final String SECRET_HEADER = ClusterSecret.HEADER;

    private final String nodeId;
    private final ReplicaDirectory directory;
    private final ReplicaRouter router;
    private final ClusterSecret clusterSecret;
    private final RequestBodies bodies;
    private final ParkedStreams streams = new ParkedStreams();

    public ReplicaEndpoint(String nodeId, ReplicaDirectory directory, ReplicaRouter router, String clusterSecret,
            RequestBodies bodies) {
        this.nodeId = nodeId;
        this.bodies = bodies;
        this.directory = directory;
        this.router = router;
        this.clusterSecret = new ClusterSecret(clusterSecret);
    }

    @Override
    public void register(Javalin app) {
        app.post("/-/replica/{id}", this::serve);
        app.get("/-/stream/{id}", this::fetchStream);
    }

    private boolean refusedWithoutSecret(Context ctx) {
        // Not String.valueOf(header): a missing header must not match a secret spelled "null".
        if (!clusterSecret.admits(ctx.header(SECRET_HEADER))) {
            Ingress.json(ctx, 403, Map.of("status", 0, "error", "forwarding needs the cluster secret"));
            return true;
        }
        return false;
    }

    /** The chunks of a stream a forwarded request started here (see {@link ParkedStreams}). */
    private void fetchStream(Context ctx) {
        if (refusedWithoutSecret(ctx)) {
            return;
        }
        Optional<ParkedStreams.Parked> parked = streams.claim(ctx.pathParam("id"));
        if (parked.isEmpty()) {
            Ingress.error(ctx, 404, "no stream " + ctx.pathParam("id") + " waits on " + nodeId);
            return;
        }
        ParkedStreams.Parked stream = parked.get();
        ChunkStreamWriter.write(ctx, stream.source(), false, stream.info(), stream.gapMillis(), stream.deployment());
    }

    private void serve(Context ctx) {
        if (refusedWithoutSecret(ctx)) {
            return;
        }
        Optional<Replica> replica = directory.local(ctx.pathParam("id"));
        if (replica.isEmpty() || replica.get().phase() != Replica.Phase.RUNNING) {
            ctx.header(Refusal.HEADER, (replica.isEmpty() ? Refusal.REPLICA_GONE : Refusal.NOT_READY).name());
            Ingress.error(ctx, 503, "replica " + ctx.pathParam("id") + " is not running on " + nodeId);
            return;
        }
        // A forwarded body is charged to this node's budget like any other; a node over its budget
        // refuses before running anything, and the sender tries another replica.
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, ForwardFrame.maxFrameBytes(bodies.maxBodyBytes()), reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                if (refusal instanceof BodyReader.Busy) {
                    ctx.header(Refusal.HEADER, Refusal.NODE_BUSY.name());
                }
                Ingress.refuse(ctx, refusal);
                return;
            }
            serve(ctx, replica.get(), ((BodyReader.Read) read).bytes());
        }
    }

    private void serve(Context ctx, Replica replica, byte[] frame) {
        String originalType = ctx.header(ForwardFrame.ORIGINAL_TYPE_HEADER);
        Optional<JsonRequest> request = ForwardFrame.decode(frame, "-".equals(originalType) ? "" : originalType);
        if (request.isEmpty()) {
            Ingress.error(ctx, 400, "malformed forwarded request");
            return;
        }
        String subPath = ctx.header(ForwardFrame.SUB_PATH_HEADER);
        if (subPath != null) {
            request = Optional.of(request.get().withSubPath(subPath));
        }
        if (request.get().body().length > bodies.maxBodyBytes()) {
            Ingress.error(ctx, 413, "forwarded body of " + request.get().body().length + " bytes is over max_body_bytes = "
                    + bodies.maxBodyBytes());
            return;
        }
        // The sender's deadline, but never longer than this deployment allows: a peer cannot make a
        // replica here hold a request (and its body) past timeout_ms.
        long timeout = Math.min(parseTimeout(ctx.header(Forwarder.DEADLINE_HEADER), replica.assignment().spec().timeoutMs()),
                replica.assignment().spec().timeoutMs());
        boolean stream = ctx.header(ChunkStreamWriter.STREAM_HEADER) != null;
        // Run here on this thread when the replica is idle: the sending node's own deadline answers its client.
        Outcome outcome = router.dispatchTo(replica, request.get(), timeout, stream, io.modelserve.agent.runtime.Rescue.NONE);
        if (outcome.timing().known()) {
            // The sending node's access log reports where the time went here (and, for an error, that a plugin ran).
            ctx.header(io.modelserve.agent.runtime.RunTiming.HEADER, outcome.timing().header());
        }
        switch (outcome) {
            case Outcome.Served served when served.result() instanceof ChunkSource chunks -> {
                String info = nodeId + "/" + served.replicaId();
                String id = streams.park(new ParkedStreams.Parked(chunks, info, timeout, replica.assignment().spec().name()));
                Ingress.json(ctx, 200, Map.of("status", 1, "stream", id, "info", info));
            }
            case Outcome.Served served when served.result() instanceof io.modelserve.sdk.Response response -> {
                byte[] answer;
                try {
                    answer = ResponseFrame.encode(response, nodeId + "/" + served.replicaId());
                } catch (java.io.IOException | RuntimeException e) {
                    Ingress.error(ctx, 500, "the result is not JSON-serialisable: " + e.getMessage());
                    return;
                }
                ctx.status(200).contentType(ResponseFrame.CONTENT_TYPE).result(answer);
            }
            case Outcome.Served served -> {
                byte[] json;
                try {
                    json = new Ingress.Envelope(1, served.result(), null, nodeId + "/" + served.replicaId()).toJson();
                } catch (java.io.IOException | RuntimeException e) {
                    Ingress.error(ctx, 500, "the result is not JSON-serialisable: " + e.getMessage());
                    return;
                }
                Ingress.answer(ctx, 200, json);
            }
            case Outcome.Refused refused -> {
                // Only a refusal to run is marked: any other error (a callee's 503 too) is this request's answer.
                if (refused.refusal() != null) {
                    ctx.header(Refusal.HEADER, refused.refusal().name());
                }
                Ingress.error(ctx, refused.status(), refused.message());
            }
        }
    }

    private static long parseTimeout(String header, long fallback) {
        try {
            return header == null ? fallback : Math.max(1, Long.parseLong(header));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
