package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.controller.admin.ClusterReport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard on the head's admin port: static pages bundled in the jar under
 * {@code dashboard/} (no CDN, works offline) and the read endpoints they poll every 2 s —
 * {@code /api/traffic} (the last 15 minutes per deployment) and {@code /api/logs/<deployment>}.
 * The overview reads {@code /api/status} and the configuration page {@code /api/config} and
 * {@code /api/apply}, which checks the admin token like every other state-changing call.
 *
 * <p>Every 2 s it also samples the cluster: the replica-state gauges and the traffic history.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long INTERVAL_MS = 2_000;
    static final long WINDOW_MS = 15 * 60 * 1000;
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(html|css|js|svg)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");

    private final Supplier<ClusterReport> report;
    private final ClusterMeters clusterMeters;
    private final TrafficHistory history = new TrafficHistory((int) (WINDOW_MS / INTERVAL_MS));
    private final TrafficSampler sampler;
    private final DeploymentLogs logs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("dashboard-sampler").daemon(true).unstarted(r));

    /**
     * @param localNode  the id of the node agent in this process, whose replica logs are read from disk
     * @param localLogs  this node's replica log files
     */
    public Dashboard(ClusterState state, String localNode, Supplier<ClusterReport> report, ReplicaLogs localLogs,
            MeterRegistry meters) {
        this.report = report;
        this.clusterMeters = new ClusterMeters(meters);
        // Only members' own addresses: a node entry cannot make the head scrape or read logs elsewhere.
        Supplier<List<NodeStatus>> nodes = state::verifiedNodes;
        this.sampler = new TrafficSampler(nodes, () -> report.get().deployments().stream().map(ClusterReport.DeploymentLine::name).toList(),
                this::scrape, System::currentTimeMillis, history);
        this.logs = new DeploymentLogs(() -> state.replicas().values(), nodes, localNode, localLogs);
    }

    /** Adds the dashboard's pages and endpoints to the admin API's server. */
    public Dashboard mount(Javalin app) {
        app.get("/", ctx -> ctx.redirect("/dashboard/"));
        // Javalin matches /dashboard and /dashboard/ alike; the page's relative links need the slash.
        app.get("/dashboard/", ctx -> {
            if (ctx.path().endsWith("/")) {
                asset(ctx, "index.html");
            } else {
                ctx.redirect("/dashboard/");
            }
        });
        app.get("/dashboard/{asset}", ctx -> asset(ctx, ctx.pathParam("asset")));
        app.get("/api/traffic", this::traffic);
        app.get("/api/logs/{deployment}", this::logs);
        app.events(events -> events.serverStopping(this::close));
        return this;
    }

    public Dashboard start() {
        loop.scheduleWithFixedDelay(this::sampleSafely, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sampleSafely() {
        try {
            clusterMeters.update(report.get());
        } catch (RuntimeException e) {
            log.warn("dashboard: cannot update the cluster gauges: {}", e.toString());
        }
        try {
            sampler.sample();
        } catch (RuntimeException e) {
            log.warn("dashboard: traffic sampling failed: {}", e.toString(), e);
        }
    }

    private String scrape(NodeStatus node) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(node.ingressUrl() + "/-/metrics"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(node.nodeId() + " /-/metrics answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(node.nodeId() + " /-/metrics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void asset(Context ctx, String name) throws IOException {
        if (!ASSET.matcher(name).matches()) {
            json(ctx, 404, Map.of("status", 0, "error", "no such dashboard file " + name));
            return;
        }
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                json(ctx, 404, Map.of("status", 0, "error", "no such dashboard file " + name));
                return;
            }
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            ctx.status(200).contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }

    private void traffic(Context ctx) throws IOException {
        String only = ctx.queryParam("deployment");
        Map<String, Object> series = new LinkedHashMap<>();
        for (String deployment : history.deployments()) {
            if (only == null || only.equals(deployment)) {
                series.put(deployment, history.points(deployment));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intervalMs", INTERVAL_MS);
        body.put("windowMs", WINDOW_MS);
        body.put("now", System.currentTimeMillis());
        body.put("deployments", series);
        json(ctx, 200, body);
    }

    private void logs(Context ctx) throws IOException, InterruptedException {
        String deployment = ctx.pathParam("deployment");
        ReplicaLogs.Query query = ReplicaLogs.Query.of(ctx.queryParam("lines"), null);
        if (query.error() != null) {
            json(ctx, 400, Map.of("status", 0, "error", query.error()));
            return;
        }
        Map<String, Long> from = new HashMap<>();
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            if (param.getKey().startsWith("from.") && !param.getValue().isEmpty()) {
                try {
                    from.put(param.getKey().substring(5), Long.parseLong(param.getValue().getFirst()));
                } catch (NumberFormatException e) {
                    json(ctx, 400, Map.of("status", 0, "error", param.getKey() + " must be a whole number"));
                    return;
                }
            }
        }
        boolean known = report.get().deployments().stream().anyMatch(d -> d.name().equals(deployment));
        List<DeploymentLogs.Entry> entries = logs.read(deployment, query.lines(), from);
        if (!known && entries.isEmpty()) {
            json(ctx, 404, Map.of("status", 0, "error", "no deployment " + deployment + "; see /api/status"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("deployment", deployment);
        body.put("replicas", entries);
        json(ctx, 200, body);
    }

    private static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
