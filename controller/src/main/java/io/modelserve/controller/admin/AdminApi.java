package io.modelserve.controller.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.modelserve.cluster.PooledJson;
import io.modelserve.cluster.http.HttpServers;
import io.javalin.http.Context;
import io.modelserve.cluster.AppliedConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head's admin API on {@code dashboard_port}, used by the CLI and the dashboard. Reads are open.
 * State-changing calls (every method but GET, HEAD and OPTIONS):
 * <ul>
 *   <li>need {@code Content-Type: application/json} (415 otherwise): a web page can send a
 *       cross-site {@code text/plain} POST without asking, but not a JSON one;</li>
 *   <li>are refused (403) when an {@code Origin} header is present and is not this API's own origin,
 *       with or without a token;</li>
 *   <li>need the admin token when one is configured ({@code Authorization: Bearer <token>}), checked
 *       in constant time against its salted hash and never logged.</li>
 * </ul>
 * Only the lease holder applies: a standby answers {@code 307} with the leader's admin address in
 * {@code Location} and in the JSON body, which the CLI follows once.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = PooledJson.mapper();

    /** Request line plus headers; Jetty answers 431 past it. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ConfigApplier applier;
    private final Supplier<ClusterReport> report;
    private final Runnable stop;
    private final Leadership leadership;
    private final Javalin app;

    /** Whether this head leads, and where the leader's admin API is when it does not. */
    public interface Leadership {
        boolean leads();

        /** host:port of the leader's admin API, when some head holds the lease. */
        java.util.Optional<String> leaderAdmin();

        Leadership ALWAYS = new Leadership() {
            @Override
            public boolean leads() {
                return true;
            }

            @Override
            public java.util.Optional<String> leaderAdmin() {
                return java.util.Optional.empty();
            }
        };
    }

    public AdminApi(ConfigApplier applier, Supplier<ClusterReport> report, Runnable stop) {
        this(applier, report, stop, Leadership.ALWAYS);
    }

    public AdminApi(ConfigApplier applier, Supplier<ClusterReport> report, Runnable stop, Leadership leadership) {
        this.applier = applier;
        this.report = report;
        this.stop = stop;
        this.leadership = leadership;
        this.app = Javalin.create(config -> {
            HttpServers.configure(config, "admin", MAX_HEADER_BYTES);
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = 4L * 1024 * 1024;
        });
        app.before(this::guardStateChange);
        app.get("/api/status", ctx -> json(ctx, 200, report.get()));
        app.get("/api/config", this::config);
        app.post("/api/apply", this::apply);
        app.post("/api/stop", this::stop);
        app.get("/-/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("admin API: {} {} failed", ctx.method(), ctx.path(), e);
            json(ctx, 500, Map.of("status", 0, "error", "internal error: " + e));
        });
        HttpServers.jsonErrors(app);
        app.error(404, ctx -> {
            // Javalin's own 404 (e.g. for a method it does not know, such as BREW) is text: replace it.
            if (ctx.result() == null || !String.valueOf(ctx.res().getContentType()).startsWith("application/json")) {
                json(ctx, 404, Map.of("status", 0, "error", "no such admin endpoint " + ctx.method().name() + " "
                        + ctx.path()));
            }
        });
    }

    /**
     * Serves the model repository of multiplexed sections: {@code GET /api/models/<deployment>} (open),
     * {@code POST /api/models/<deployment>/<model>/load} and {@code .../unload} (the admin token, as
     * every state change). Any head answers: the change goes to the replicas, not to the leader's state.
     */
    public AdminApi serveModels(ModelControl models) {
        app.get("/api/models/{deployment}", ctx -> {
            ModelControl.Answer answer = models.list(ctx.pathParam("deployment"));
            json(ctx, answer.status(), answer.body());
        });
        app.post("/api/models/{deployment}/{model}/{action}", ctx -> {
            String action = ctx.pathParam("action");
            if (!action.equals("load") && !action.equals("unload")) {
                json(ctx, 404, Map.of("status", 0, "error", "no such action " + action + "; load or unload"));
                return;
            }
            if (!authorised(ctx)) {
                return;
            }
            ModelControl.Answer answer = models.change(ctx.pathParam("deployment"), ctx.pathParam("model"),
                    action.equals("load"));
            json(ctx, answer.status(), answer.body());
        });
        return this;
    }

    public AdminApi start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    public Javalin javalin() {
        return app;
    }

    /** What {@code /api/status} answers now; the dashboard samples it. */
    public ClusterReport report() {
        return report.get();
    }

    private void config(Context ctx) {
        AppliedConfig current = applier.current().orElse(null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("path", current == null ? null : current.path());
        // Reads are open: the text in the cluster has the token redacted already; redact again for entries
        // written before that, and never show the settings (they carry the token's hash).
        body.put("text", current == null ? "" : TokenRedaction.redact(current.text()));
        body.put("generation", current == null ? 0 : current.generation());
        json(ctx, 200, body);
    }

    /** Content type and origin rules for every state-changing call, before any handler (or token check) runs. */
    private void guardStateChange(Context ctx) {
        String method = ctx.method().name();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        String origin = ctx.header("Origin");
        if (origin != null && !OwnOrigin.matches(origin, ctx.host())) {
            log.warn("admin API: refused {} {} from foreign origin {}", method, ctx.path(), OwnOrigin.printable(origin));
            json(ctx, 403, Map.of("status", 0, "error", "state-changing calls are refused from another origin ("
                    + OwnOrigin.printable(origin) + "); use the CLI or this head's own dashboard"));
            ctx.skipRemainingHandlers();
            return;
        }
        String type = ctx.contentType();
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            json(ctx, 415, Map.of("status", 0, "error", "state-changing calls need 'Content-Type: application/json'"));
            ctx.skipRemainingHandlers();
        }
    }

    /** A standby's answer to apply: where the leader is (307 keeps the method and body), or 503 while none leads. */
    private boolean redirectedToLeader(Context ctx) {
        if (leadership.leads()) {
            return false;
        }
        java.util.Optional<String> leader = leadership.leaderAdmin();
        if (leader.isEmpty()) {
            ctx.header("Retry-After", "2");
            json(ctx, 503, Map.of("status", 0, "error", "no head holds the leader lease now; retry shortly"));
            return true;
        }
        String location = "http://" + leader.get() + ctx.path();
        ctx.header("Location", location);
        json(ctx, 307, Map.of("status", 0, "error", "this head is a standby; apply at the leader " + leader.get(),
                "leader", leader.get(), "location", location));
        return true;
    }

    private void apply(Context ctx) throws java.io.IOException {
        if (redirectedToLeader(ctx)) {
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            json(ctx, 400, Map.of("status", 0, "error", "malformed JSON: " + e.getMessage()));
            return;
        }
        if (request == null || !request.path("text").isTextual() || !request.path("path").isTextual()) {
            json(ctx, 400, Map.of("status", 0, "error", "expected {\"path\": \"/abs/conf.ini\", \"text\": \"...\", \"dryRun\": false}"));
            return;
        }
        boolean dryRun = request.path("dryRun").asBoolean(false);
        if (!dryRun && !authorised(ctx)) {
            return;
        }
        ConfigApplier.Result result = applier.apply(Path.of(request.get("path").asText()), request.get("text").asText(), dryRun);
        if (result.refusal() == ConfigApplier.Refusal.NOT_LEADER && redirectedToLeader(ctx)) {
            return; // lost the lease between the check and the apply
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", result.rejected() ? 0 : 1);
        body.put("errors", result.errors());
        body.put("plan", result.plan() == null ? null : result.plan().changes().stream().map(c -> Map.of(
                "deployment", c.deployment(), "kinds", c.kinds(), "detail", c.detail(), "text", c.toString())).toList());
        body.put("applied", result.applied());
        body.put("generation", result.generation());
        json(ctx, result.refusal() == ConfigApplier.Refusal.CONFLICT ? 409 : result.rejected() ? 422 : 200, body);
    }

    private void stop(Context ctx) {
        if (!authorised(ctx)) {
            return;
        }
        json(ctx, 202, Map.of("status", 1, "result", "stopping"));
        Thread.ofPlatform().name("head-stop").start(() -> {
            sleepQuietly(200); // let the response leave before the listener closes
            stop.run();
        });
    }

    /** Answers 401 and returns false unless the request carries the configured token. */
    private boolean authorised(Context ctx) {
        String hash = applier.trusted().map(c -> c.settings().adminToken()).orElse("");
        if (hash == null || hash.isEmpty()) {
            return true;
        }
        String header = ctx.header("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
        if (AdminTokenHash.matches(hash, given)) {
            return true;
        }
        json(ctx, 401, Map.of("status", 0, "error", "this call changes state and needs the admin token: "
                + "send 'Authorization: Bearer <token>' (the CLI reads MODELSERVE_TOKEN)"));
        return false;
    }

    private static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            ctx.status(500).result("{\"status\":0,\"error\":\"cannot encode response\"}");
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
