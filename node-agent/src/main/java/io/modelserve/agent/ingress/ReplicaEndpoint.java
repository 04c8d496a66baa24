package io.modelserve.agent.ingress;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.JsonRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The internal endpoint another node forwards to: {@code POST /-/replica/<id>} runs the request on
 * that local replica, never forwarding it again (one hop at most). A replica that is not here or
 * cannot take it is refused with a header the forwarder reads as "try another one".
 */
public final class ReplicaEndpoint implements Ingress.Extension {
    static final String SECRET_HEADER = "X-Modelserve-Cluster-Secret";

    private final String nodeId;
    private final ReplicaDirectory directory;
    private final ReplicaRouter router;
    private final String clusterSecret;

    public ReplicaEndpoint(String nodeId, ReplicaDirectory directory, ReplicaRouter router, String clusterSecret) {
        this.nodeId = nodeId;
        this.directory = directory;
        this.router = router;
        this.clusterSecret = clusterSecret == null ? "" : clusterSecret;
    }

    @Override
    public void register(Javalin app) {
        app.post("/-/replica/{id}", this::serve);
    }

    private void serve(Context ctx) {
        if (!clusterSecret.isEmpty() && !MessageDigest.isEqual(clusterSecret.getBytes(StandardCharsets.UTF_8),
                String.valueOf(ctx.header(SECRET_HEADER)).getBytes(StandardCharsets.UTF_8))) {
            Ingress.json(ctx, 403, Map.of("status", 0, "error", "forwarding needs the cluster secret"));
            return;
        }
        Optional<Replica> replica = directory.local(ctx.pathParam("id"));
        if (replica.isEmpty() || replica.get().phase() != Replica.Phase.RUNNING) {
            ctx.header(Forwarder.REFUSED_HEADER, "not-here");
            Ingress.error(ctx, 503, "replica " + ctx.pathParam("id") + " is not running on " + nodeId);
            return;
        }
        Optional<JsonRequest> request = ForwardFrame.decode(ctx.bodyAsBytes(), ctx.header(ForwardFrame.ORIGINAL_TYPE_HEADER));
        if (request.isEmpty()) {
            Ingress.error(ctx, 400, "malformed forwarded request");
            return;
        }
        long timeout = parseTimeout(ctx.header(Forwarder.DEADLINE_HEADER), replica.get().assignment().spec().timeoutMs());
        Outcome outcome = router.dispatchTo(replica.get(), request.get(), timeout);
        switch (outcome) {
            case Outcome.Served served -> Ingress.json(ctx, 200, new Ingress.Envelope(1, served.result(), null,
                    nodeId + "/" + served.replicaId()));
            case Outcome.Refused refused -> {
                if (refused.status() == 503) {
                    ctx.header(Forwarder.REFUSED_HEADER, refused.message().equals("queue full") ? "full" : "not-here");
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
