package io.modelserve.agent.queue;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
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

    public AsyncQueueEndpoints(String nodeId, RouteTable routes, AsyncQueue queue, RequestBodies bodies) {
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
        String route = ctx.pathParam("route").replaceAll("^/+|/+$", "");
        DeploymentSpec spec = routes.forRoute(route).orElse(null);
        if (spec == null) {
            Ingress.error(ctx, 404, "no route /" + route + "; see /-/routes");
            return;
        }
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                Ingress.refuse(ctx, refusal);
                return;
            }
            enqueue(ctx, spec, ((BodyReader.Read) read).bytes());
        }
    }

    private void enqueue(Context ctx, DeploymentSpec spec, byte[] body) {
        RequestDecoder.Decoded decoded = RequestDecoder.decode(body, ctx.contentType(), ctx.queryParamMap());
        if (decoded instanceof RequestDecoder.Malformed malformed) {
            Ingress.error(ctx, 400, malformed.message());
            return;
        }
        String id = UUID.randomUUID().toString();
        AsyncQueue.Accepted accepted = queue.enqueue(new QueuedRequest(id, spec.name(), ctx.queryParamMap(),
                ctx.contentType(), System.currentTimeMillis(), nodeId, body));
        switch (accepted) {
            case ACCEPTED -> { }
            case QUEUE_FULL -> {
                ctx.header("Retry-After", "1");
                Ingress.error(ctx, 503, "the queue of " + spec.name() + " is full");
                return;
            }
            case BYTES_FULL -> {
                // Results count until they expire, so room comes back slowly: ask for a longer wait.
                ctx.header("Retry-After", "5");
                Ingress.error(ctx, 503, "the async queue holds as much work and results as it may (queue_max_bytes = "
                        + queue.limits().queueMaxBytes() + " in [MODEL SERVE], cluster-wide); retry later");
                return;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", 1);
        answer.put("id", id);
        ctx.header("Location", "/-/result/" + id);
        Ingress.json(ctx, 202, answer);
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
