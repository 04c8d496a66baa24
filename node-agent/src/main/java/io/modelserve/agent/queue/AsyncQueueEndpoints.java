package io.modelserve.agent.queue;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.access.AccessLine;
import io.modelserve.agent.access.AccessLog;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.http.PluginHeaders;
import io.modelserve.agent.http.RequestDecoder;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.cluster.DeploymentSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /-/queue/<route>} -> 202 {"status":1,"id":...}; {@code GET /-/result/<id>} -> 200 with the
 * route's envelope once done (or its error status and envelope if it failed), 202 while pending,
 * 404 for an id this cluster does not know (never accepted, or past its time-to-live).
 */
public final class AsyncQueueEndpoints implements Ingress.Extension {
    private final String nodeId;
    private final RouteTable routes;
    private final AsyncQueue queue;
    private final RequestBodies bodies;
    private final AccessLog access;

    public AsyncQueueEndpoints(String nodeId, RouteTable routes, AsyncQueue queue, RequestBodies bodies) {
        this(nodeId, routes, queue, bodies, AccessLog.OFF);
    }

    /** @param access where each submission is logged (when its deployment's {@code access_log} is on) */
    public AsyncQueueEndpoints(String nodeId, RouteTable routes, AsyncQueue queue, RequestBodies bodies, AccessLog access) {
        this.access = access;
        this.nodeId = nodeId;
        this.routes = routes;
        this.queue = queue;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.post("/-/queue/<route>", this::enqueue);
        app.get("/-/result/{id}", this::result);
    }

    private void enqueue(Context ctx) {
        long started = System.nanoTime();
        String route = ctx.pathParam("route").replaceAll("^/+|/+$", "");
        DeploymentSpec spec = routes.forRoute(route).orElse(null);
        if (spec == null) {
            Ingress.error(ctx, 404, "no route /" + route + "; see /-/routes");
            return;
        }
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                logged(ctx, spec, refusal.status(), started, 0, Ingress.refuse(ctx, refusal.status(), refusal.retryAfterSeconds(),
                        new Ingress.Envelope(0, null, refusal.message(), null)));
                return;
            }
            enqueue(ctx, spec, ((BodyReader.Read) read).bytes(), started);
        }
    }

    private void enqueue(Context ctx, DeploymentSpec spec, byte[] body, long started) {
        RequestDecoder.Decoded decoded = RequestDecoder.decode(body, ctx.contentType(), ctx.queryParamMap());
        if (decoded instanceof RequestDecoder.Malformed malformed) {
            logged(ctx, spec, 400, started, body.length, Ingress.error(ctx, 400, malformed.message()));
            return;
        }
        String id = UUID.randomUUID().toString();
        AsyncQueue.Accepted accepted = queue.enqueue(new QueuedRequest(id, spec.name(), ctx.queryParamMap(),
                ctx.contentType(), System.currentTimeMillis(), nodeId, PluginHeaders.of(ctx.req()), body));
        switch (accepted) {
            case ACCEPTED -> { }
            case QUEUE_FULL -> {
                ctx.header("Retry-After", "1");
                logged(ctx, spec, 503, started, body.length, Ingress.error(ctx, 503, "the queue of " + spec.name() + " is full"));
                return;
            }
            case BYTES_FULL -> {
                // Results count until they expire, so room comes back slowly: ask for a longer wait.
                ctx.header("Retry-After", "5");
                logged(ctx, spec, 503, started, body.length, Ingress.error(ctx, 503, "the async queue holds as much work and"
                        + " results as it may (queue_max_bytes = " + queue.limits().queueMaxBytes()
                        + " in [MODEL SERVE], cluster-wide); retry later"));
                return;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", 1);
        answer.put("id", id);
        ctx.header("Location", "/-/result/" + id);
        logged(ctx, spec, 202, started, body.length, Ingress.json(ctx, 202, answer));
    }

    /** A submission as the access log has it: no replica ran it yet (its result is fetched by id later). */
    private void logged(Context ctx, DeploymentSpec spec, int status, long started, long bytesIn, int bytesOut) {
        access.record(AccessLine.Protocol.QUEUE, ctx.path(), spec, false, null, status, bytesIn, bytesOut, started);
    }

    private void result(Context ctx) {
        var result = queue.result(ctx.pathParam("id"));
        if (result.isEmpty()) {
            Ingress.error(ctx, 404, "no queued request " + ctx.pathParam("id") + " (unknown, or its result expired)");
            return;
        }
        QueuedResult r = result.get();
        if (!r.finished()) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("status", 1);
            answer.put("id", r.id());
            answer.put("state", r.state().toLowerCase());
            Ingress.json(ctx, 202, answer);
            return;
        }
        Ingress.json(ctx, r.status(), r.envelope());
    }
}
