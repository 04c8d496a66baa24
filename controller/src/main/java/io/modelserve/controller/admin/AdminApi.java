package io.modelserve.controller.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.cluster.AppliedConfig;
import io.modelserve.controller.dashboard.TokenRedaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head's admin API on {@code dashboard_port}, used by the CLI and the dashboard. Reads are open;
 * state-changing calls need the admin token when one is configured
 * ({@code Authorization: Bearer <token>}), compared in constant time and never logged.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfigApplier applier;
    private final Supplier<ClusterReport> report;
    private final Runnable stop;
    private final Javalin app;

    public AdminApi(ConfigApplier applier, Supplier<ClusterReport> report, Runnable stop) {
        this.applier = applier;
        this.report = report;
        this.stop = stop;
        this.app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = 4L * 1024 * 1024;
        });
        app.get("/api/status", ctx -> json(ctx, 200, report.get()));
        app.get("/api/config", this::config);
        app.post("/api/apply", this::apply);
        app.post("/api/stop", this::stop);
        app.get("/-/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("admin API: {} {} failed", ctx.method(), ctx.path(), e);
            json(ctx, 500, Map.of("status", 0, "error", "internal error: " + e));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null) {
                json(ctx, 404, Map.of("status", 0, "error", "no such admin endpoint " + ctx.path()));
            }
        });
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
        body.put("text", current == null ? "" : TokenRedaction.redact(current.text())); // reads are open: never the token
        body.put("generation", current == null ? 0 : current.generation());
        json(ctx, 200, body);
    }

    private void apply(Context ctx) throws java.io.IOException {
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
        String text = TokenRedaction.restore(request.get("text").asText(), applier.current().map(AppliedConfig::text).orElse(null));
        ConfigApplier.Result result = applier.apply(Path.of(request.get("path").asText()), text, dryRun);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", result.rejected() ? 0 : 1);
        body.put("errors", result.errors());
        body.put("plan", result.plan() == null ? null : result.plan().changes().stream().map(c -> Map.of(
                "deployment", c.deployment(), "kinds", c.kinds(), "detail", c.detail(), "text", c.toString())).toList());
        body.put("applied", result.applied());
        body.put("generation", result.generation());
        json(ctx, result.rejected() ? 422 : 200, body);
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
        String token = applier.current().map(c -> c.settings().adminToken()).orElse("");
        if (token == null || token.isEmpty()) {
            return true;
        }
        String header = ctx.header("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
        if (MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
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
