package io.modelserve.agent.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.routing.TrafficSplit;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.runtime.ChunkSource;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import io.modelserve.cluster.http.HttpServers;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST front door of a node: {@code <method> /<route>} for every deployment, and the reserved
 * {@code /-/} endpoints. Every answer is JSON, errors included.
 *
 * <p>A little over 300 lines: one request's way from route, method and version pinning through
 * the body budget to the answer (served, streamed, refused, or rescued at its deadline), and the
 * few static answer writers the other endpoints share so that every node answers alike.
 */
public final class Ingress implements AutoCloseable, RequestLog {
    private static final Logger log = LoggerFactory.getLogger(Ingress.class);
    private static final ObjectMapper JSON = PooledJson.mapper();
    /** Pins a request to one version of a deployment: {@code main} or a canary's label. */
    public static final String VERSION_HEADER = "X-Modelserve-Version";
    private static final HandlerType[] ROUTE_METHODS = {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.DELETE, HandlerType.PATCH};

    private final String nodeId;
    private final RouteTable routes;
    private final ReplicaRouter router;
    private final MeterRegistry meters;
    private final RequestBodies bodies;
    private final Supplier<Map<String, Object>> health;
    private final Javalin app;
    private final RequestTimers timers;
    private final io.modelserve.agent.access.AccessLog access;

    @JsonPropertyOrder({"status", "result", "error", "info"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Envelope(int status, Object result, String error, String info) {
        // Public so that the plugin test kit and `modelserve check` show exactly what a route answers.
        public static Envelope served(Object result, String info) {
            return new Envelope(1, result, null, info);
        }

        public static Envelope failed(String error) {
            return new Envelope(0, null, error, null);
        }

        /** The bytes the ingress sends; fails when the result is not JSON-serialisable. */
        public byte[] toJson() throws IOException {
            return JSON.writeValueAsBytes(this);
        }
    }

    /**
     * Endpoints a feature adds to every node's ingress (Open Inference Protocol, async queue,
     * forwarding). Registered before the catch-all route handler, which would otherwise take them.
     */
    @FunctionalInterface
    public interface Extension {
        void register(Javalin app);
    }

    /** Request line plus headers, per request (SECURITY.md). */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    public Ingress(String nodeId, RouteTable routes, ReplicaRouter router, PrometheusMeterRegistry meters,
            RequestBodies bodies, Supplier<Map<String, Object>> health) {
        this(nodeId, routes, router, meters, bodies, health, java.util.List.of());
    }

    public Ingress(String nodeId, RouteTable routes, ReplicaRouter router, PrometheusMeterRegistry meters,
            RequestBodies bodies, Supplier<Map<String, Object>> health, java.util.List<Extension> extensions) {
        this(nodeId, routes, router, meters, bodies, health, extensions, io.modelserve.agent.access.AccessLog.OFF,
                () -> io.modelserve.agent.runtime.LatencyBuckets.DEFAULT);
    }

    /**
     * @param access  where each request to a deployment is logged (when its {@code access_log} is on)
     * @param buckets the latency buckets of timers made from now on ({@code latency_buckets_ms})
     */
    public Ingress(String nodeId, RouteTable routes, ReplicaRouter router, PrometheusMeterRegistry meters,
            RequestBodies bodies, Supplier<Map<String, Object>> health, java.util.List<Extension> extensions,
            io.modelserve.agent.access.AccessLog access, Supplier<java.time.Duration[]> buckets) {
        this.nodeId = nodeId;
        this.access = access;
        this.routes = routes;
        this.router = router;
        this.meters = meters;
        this.bodies = bodies;
        this.health = health;
        this.timers = new RequestTimers(nodeId, meters, buckets);
        this.app = Javalin.create(config -> {
            // Jetty answers 431 past MAX_HEADER_BYTES: a client cannot make a node buffer unbounded headers.
            HttpServers.configure(config, "ingress-" + nodeId, MAX_HEADER_BYTES);
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            // Never used: every endpoint reads its body itself, through RequestBodies, charged before
            // it is read. (Javalin's limit applies only to ctx.body*(), which reads the whole body first.)
            config.http.maxRequestSize = Long.MAX_VALUE;
        });
        app.get("/-/healthz", ctx -> {
            Map<String, Object> state = health.get();
            json(ctx, "ok".equals(state.get("status")) ? 200 : 503, state);
        });
        app.get("/-/routes", ctx -> json(ctx, 200, routes.describe()));
        app.get("/-/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
        for (Extension extension : extensions) {
            extension.register(app);
        }
        for (HandlerType method : ROUTE_METHODS) {
            app.addHttpHandler(method, "/<path>", this::serve);
        }
        HttpServers.jsonErrors(app);
        app.error(404, ctx -> {
            // Javalin's own 404 (e.g. for a method it does not know, such as BREW) is text: replace it.
            boolean javalinsOwn = ctx.attribute(HttpServers.OWN_ANSWER) == null && ctx.result() == null || !String.valueOf(ctx.res().getContentType()).startsWith("application/json");
            if (javalinsOwn && !ctx.res().isCommitted()) {
                error(ctx, 404, ctx.method() == HandlerType.INVALID ? "unknown HTTP method " + ctx.req().getMethod()
                        + "; routes take GET, POST, PUT, DELETE, PATCH" : "no route " + ctx.path());
            }
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("ingress: unexpected error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });
    }

    /** Starts listening on {@code host:port}. */
    public Ingress start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Extra endpoints a node adds (artifact transfer, admin on the head). */
    public Javalin javalin() {
        return app;
    }

    private void serve(Context ctx) {
        long started = System.nanoTime();
        String route = normalise(ctx.path());
        if (route.startsWith("-/")) {
            error(ctx, 404, "no such endpoint " + ctx.path() + "; reserved endpoints: /-/healthz, /-/routes, /-/metrics");
            return;
        }
        RouteTable.Match match = routes.match(route).orElse(null);
        if (match == null) {
            error(ctx, 404, "no route /" + route + "; see /-/routes");
            return;
        }
        DeploymentSpec spec = match.spec();
        // The route's section says how it answers; its canaries answer alike, whatever their own sections say.
        boolean bare = spec.bare();
        String method = ctx.method().name();
        if (!spec.methods().contains(method)) {
            ctx.header("Allow", String.join(", ", spec.methods()));
            done(ctx, spec, false, null, 405, started, error(ctx, bare, 405, "method " + method + " not allowed on /" + route + "; allowed: " + String.join(", ", spec.methods())));
            return;
        }
        DeploymentSpec fallback = null;
        String pinned = ctx.header(VERSION_HEADER);
        if (pinned != null && !pinned.isBlank()) {
            DeploymentSpec version = routes.version(spec, pinned.strip()).orElse(null);
            if (version == null) {
                done(ctx, spec, false, null, 404, started, error(ctx, bare, 404, "no version " + pinned.strip() + " of /" + route + " (" + VERSION_HEADER + "); versions: "
                        + String.join(", ", versionLabels(spec))));
                return;
            }
            spec = version;
        } else {
            List<DeploymentSpec> canaries = routes.canariesOf(spec.name());
            if (!canaries.isEmpty()) {
                DeploymentSpec chosen = TrafficSplit.choose(spec, canaries, version -> router.hasReady(version.name()),
                        ThreadLocalRandom.current().nextInt(10_000));
                fallback = chosen == spec ? null : spec;
                spec = chosen;
            }
        }
        // The body's bytes stay charged until this request has its answer (or its client is gone).
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                done(ctx, spec, true, null, refusal.status(), started,
                        refuse(ctx, refusal.status(), refusal.retryAfterSeconds(), errorBody(bare, refusal.message())));
                return;
            }
            byte[] bytes = ((BodyReader.Read) read).bytes();
            ctx.attribute(BYTES_IN, (long) bytes.length);
            answer(ctx, new Answering(spec, fallback, bare, match.subPath()), bytes, started);
        }
    }

    /**
     * What one request's answer depends on beyond its body.
     *
     * @param fallback the main deployment when {@code spec} is a canary chosen by the split, else null
     * @param bare     {@code envelope = false} on the route: results and errors without the envelope
     * @param subPath  the rest of the path under a wildcard route, or ""
     */
    /** Names the model of a request to a multiplexed section (else the path segment after its route does). */
    public static final String MODEL_HEADER = "X-Modelserve-Model";

    private record Answering(DeploymentSpec spec, DeploymentSpec fallback, boolean bare, String subPath) {}

    private void answer(Context ctx, Answering answering, byte[] body, long started) {
        DeploymentSpec spec = answering.spec();
        boolean bare = answering.bare();
        RequestDecoder.Decoded decoded = RequestDecoder.decode(body, ctx.contentType(), ctx.queryParamMap());
        if (decoded instanceof RequestDecoder.Malformed malformed) {
            done(ctx, spec, true, null, 400, started, error(ctx, bare, 400, malformed.message()));
            return;
        }
        // One answer per request: this thread's, or the rescue's when this thread is stuck running the
        // request itself past its deadline (it then answers 504 on time and closes the connection).
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        DeploymentSpec target = spec;
        io.modelserve.agent.runtime.Rescue rescue = () -> {
            synchronized (answered) {
                if (answered.compareAndSet(false, true)) {
                    done(ctx, target, true, null, 504, started, refuse(ctx, 504, 0,
                            errorBody(bare, target.name() + " did not answer within timeout_ms = " + target.timeoutMs())));
                }
            }
        };
        io.modelserve.agent.runtime.JsonRequest request = ((RequestDecoder.Ok) decoded).request()
                .withHeaders(PluginHeaders.of(ctx.req()));
        String subPath = answering.subPath();
        if (spec.isMultiplexed()) {
            // The model travels as the sub-path (to other nodes and child JVMs alike); the replica
            // hands it to the plugin as Request.model().
            String header = ctx.header(MODEL_HEADER);
            String model = header != null && !header.isBlank() ? header.strip() : subPath;
            if (model.isEmpty()) {
                done(ctx, spec, true, null, 400, started, error(ctx, bare, 400, spec.name() + " serves many models: name one"
                        + " with the " + MODEL_HEADER + " header or as /" + spec.route() + "/<model>"));
                return;
            }
            if (spec.multiplex().model(model).isEmpty()) {
                done(ctx, spec, true, null, 404, started, error(ctx, bare, 404, "no model '" + model + "' in "
                        + spec.name() + " (see /-/models/" + spec.name() + ")"));
                return;
            }
            subPath = model;
        }
        if (!subPath.isEmpty()) {
            request = request.withSubPath(subPath);
        }
        Outcome outcome = router.dispatch(spec, request, answering.fallback(), true, rescue);
        // Holding the lock waits out a rescue that is still writing: once this handler returns, Jetty
        // recycles the response the rescue writes to.
        synchronized (answered) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
        }
        switch (outcome) {
            case Outcome.Served served when served.result() instanceof ChunkSource chunks -> {
                // Timed to the first chunk: the rest of a stream is the backend's pace, not the platform's.
                done(ctx, spec, true, served, 200, started, -1);
                ChunkStreamWriter.write(ctx, chunks, ChunkStreamWriter.wantsEvents(ctx),
                        (served.node() == null ? nodeId : served.node()) + "/" + served.replicaId(), spec.timeoutMs(), spec.name());
            }
            case Outcome.Served served -> {
                String info = (served.node() == null ? nodeId : served.node()) + "/" + served.replicaId();
                ShapedAnswer shaped;
                try {
                    shaped = ShapedAnswer.of(served.result(), info, bare);
                } catch (IOException | RuntimeException e) {
                    done(ctx, spec, true, served, 500, started, error(ctx, bare, 500, "the result of " + spec.name()
                            + " is not JSON-serialisable: " + e.getMessage()));
                    return;
                }
                done(ctx, spec, true, served, shaped.status(), started, shaped.body().length);
                // A plugin's 404 or 500 page is its answer: Javalin's error handlers must not replace it.
                ctx.attribute(HttpServers.OWN_ANSWER, Boolean.TRUE);
                shaped.headers().forEach(ctx::header);
                answer(ctx, shaped.status(), shaped.contentType(), shaped.body());
            }
            case Outcome.Refused refused -> {
                if (refused.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                }
                done(ctx, spec, true, refused, refused.status(), started, error(ctx, bare, refused.status(), refused.message()));
            }
        }
    }

    private List<String> versionLabels(DeploymentSpec main) {
        List<String> labels = new java.util.ArrayList<>();
        labels.add(DeploymentSpec.MAIN_LABEL);
        routes.canariesOf(main.name()).forEach(canary -> labels.add(canary.label()));
        return labels;
    }

    /**
     * Drops the request timers of replicas not in {@code replicaIds} (see {@link RequestTimers#retain}).
     */
    public void retainReplicaTimers(java.util.Set<String> replicaIds) {
        timers.retain(replicaIds);
    }

    /** How many request timers the ingress holds (for tests of {@link #retainReplicaTimers}). */
    int timerCount() {
        return timers.size();
    }

    /** The body's length once read (a chunked body has no Content-Length). */
    private static final String BYTES_IN = "modelserve.bytesIn";

    /**
     * Counts a request in {@code modelserve.requests} and logs it (when its deployment's
     * {@code access_log} is on). Only after the answer is written: its bytes are known then.
     *
     * @param versionChosen whether the request got as far as a version (else its line says null)
     */
    private void done(Context ctx, DeploymentSpec spec, boolean versionChosen, Outcome outcome, int status,
            long started, long bytesOut) {
        record(spec, outcome == null ? null : outcome.replicaId(), status, started);
        if (access.logs(spec)) {
            access.record(io.modelserve.agent.access.AccessLine.Protocol.REST, ctx.path(), spec, versionChosen, outcome, status,
                    ctx.attribute(BYTES_IN) instanceof Long read ? read : Math.max(0, ctx.req().getContentLengthLong()), bytesOut,
                    started);
        }
    }

    @Override
    public void record(DeploymentSpec spec, String replicaId, int status, long startedNanos) {
        timers.record(spec, replicaId, status, startedNanos);
    }

    private static String normalise(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /** Answers a body that was not read (413, 503 + Retry-After, 400). */
    public static void refuse(Context ctx, BodyReader.Refusal refusal) {
        refuse(ctx, refusal.status(), refusal.retryAfterSeconds(), new Envelope(0, null, refusal.message(), null));
    }

    /**
     * Answers now, flushed from the handler, and closes the connection: the body is left unread, so the
     * connection cannot carry another request, and Jetty would otherwise wait for the rest of a body
     * nobody reads (up to its idle timeout) before it sent the answer.
     */
    public static int refuse(Context ctx, int status, int retryAfterSeconds, Object body) {
        int length = 0;
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            length = json.length;
            var response = ctx.res();
            response.setStatus(status);
            response.setHeader("Connection", "close");
            if (retryAfterSeconds > 0) {
                response.setHeader("Retry-After", String.valueOf(retryAfterSeconds));
            }
            response.setContentType("application/json");
            response.setContentLength(json.length);
            response.getOutputStream().write(json);
            response.flushBuffer();
        } catch (IOException e) {
            // The client is gone; nothing to answer.
        }
        return length;
    }

    /** Below this, Javalin would not compress an answer either (its minimum size for compression). */
    private static final int DIRECT_WRITE_LIMIT = 1_500;

    /**
     * Sends a JSON answer. A small one is written straight to the response with its length: through
     * Javalin's result stream every answer is copied via a fresh 8 KB buffer and sent chunked, which
     * measured ~14% of the no-op route's CPU. A larger one goes the usual way, so it is compressed
     * as before when the client accepts it.
     */
    public static void answer(Context ctx, int status, byte[] json) {
        answer(ctx, status, "application/json", json);
    }

    /** As {@link #answer(Context, int, byte[])}, for a body of any content type. */
    public static void answer(Context ctx, int status, String contentType, byte[] body) {
        if (body.length >= DIRECT_WRITE_LIMIT) {
            ctx.status(status).contentType(contentType).result(body);
            return;
        }
        ctx.status(status);
        ctx.res().setContentType(contentType);
        ctx.res().setContentLength(body.length);
        try {
            ctx.res().getOutputStream().write(body);
        } catch (IOException clientGone) {
            // The client closed the connection; there is no one left to answer.
        }
    }

    /** @return the bytes of the answer */
    public static int json(Context ctx, int status, Object body) {
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            ctx.status(status).contentType("application/json").result(json);
            return json.length;
        } catch (IOException e) {
            ctx.status(500).contentType("application/json").result("{\"status\":0,\"error\":\"cannot encode response\"}");
            return 0;
        }
    }

    /** @return the bytes of the answer */
    public static int error(Context ctx, int status, String message) {
        return json(ctx, status, new Envelope(0, null, message, null));
    }

    /** An error on a route: in the envelope, or as {@code {"error": ...}} with {@code envelope = false}. */
    static int error(Context ctx, boolean bare, int status, String message) {
        return json(ctx, status, errorBody(bare, message));
    }

    static Object errorBody(boolean bare, String message) {
        return bare ? Map.of("error", message) : Envelope.failed(message);
    }

    @Override
    public void close() {
        app.stop();
    }
}
