package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.PooledJson;
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
 * {@code /api/traffic} (the last 15 minutes per deployment), {@code /api/logs/<deployment>} and
 * {@code /api/requests/<deployment>} (the access log).
 * The overview reads {@code /api/status} and the configuration page {@code /api/config} and
 * {@code /api/apply}, which checks the admin token like every other state-changing call.
 *
 * <p>Every 2 s it also samples the cluster: the replica-state gauges and the traffic history.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final ObjectMapper JSON = PooledJson.mapper();
    static final long INTERVAL_MS = 2_000;
    static final long WINDOW_MS = 15 * 60 * 1000;
    private static final Pattern ASSET = Pattern.compile("(views/)?[a-z0-9-]+\\.(html|css|js|svg)");
    /** uPlot's webjar (a Maven dependency of this module): its version, from the jar's own Maven metadata. */
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
    private static final java.util.Set<String> VENDOR = java.util.Set.of("uPlot.iife.min.js", "uPlot.min.css");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");

    private final Supplier<ClusterReport> report;
    private final ClusterMeters clusterMeters;
    private final TrafficHistory history;
    private final TrafficSampler sampler;
    private final DeploymentLogs logs;
    private final DeploymentRequests requests;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("dashboard-sampler").daemon(true).unstarted(r));

    /**
     * @param localNode     the id of the node agent in this process, whose logs are read from disk
     * @param localLogs     this node's replica log files
     * @param localRequests this node's access log files
     * @param history       where the samples go; the report reads the deployments' recent errors from it (their health)
     */
    public Dashboard(ClusterState state, String localNode, Supplier<ClusterReport> report, ReplicaLogs localLogs,
            RequestLogs localRequests, MeterRegistry meters, TrafficHistory history) {
        this.report = report;
        this.history = history;
        this.clusterMeters = new ClusterMeters(meters);
        // Only members' own addresses: a node entry cannot make the head scrape or read logs elsewhere.
        Supplier<List<NodeStatus>> nodes = state::verifiedNodes;
        this.sampler = new TrafficSampler(nodes, () -> report.get().deployments().stream().map(ClusterReport.DeploymentLine::name).toList(),
                this::scrape, System::currentTimeMillis, history);
        this.logs = new DeploymentLogs(() -> state.replicas().values(), nodes, localNode, localLogs);
        this.requests = new DeploymentRequests(nodes, localNode, localRequests);
    }

    /** An empty history of the dashboard's window (15 minutes of 2 s points). */
    public static TrafficHistory newHistory() {
        return new TrafficHistory((int) (WINDOW_MS / INTERVAL_MS));
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
        app.get("/dashboard/views/{asset}", ctx -> asset(ctx, "views/" + ctx.pathParam("asset")));
        app.get("/dashboard/vendor/{asset}", this::vendor);
        app.get("/api/traffic", this::traffic);
        app.get("/api/logs/{deployment}", this::logs);
        app.get("/api/requests/{deployment}", this::requests);
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
        serve(ctx, "/dashboard/" + name, name);
    }

    private void vendor(Context ctx) throws IOException {
        String name = ctx.pathParam("asset");
        if (!VENDOR.contains(name)) {
            json(ctx, 404, Map.of("status", 0, "error", "no such dashboard file vendor/" + name));
            return;
        }
        serve(ctx, UPLOT + name, name);
    }

    private static String webjarVersion(String artifact) {
        java.util.Properties properties = new java.util.Properties();
        try (InputStream in = Dashboard.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            log.warn("dashboard: cannot read the version of {}: {}", artifact, e.toString());
        }
        return properties.getProperty("version", "missing");
    }

    private static void serve(Context ctx, String resource, String name) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
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
        if (only == null) {
            body.put("cluster", history.clusterPoints());
        }
        body.put("replicaLoad", history.replicaLoad().values().stream()
                .filter(load -> only == null || only.equals(load.deployment())).toList());
        json(ctx, 200, body);
    }

    /**
     * {@code GET /api/logs/<deployment>}: each replica's tail ({@code lines}), or what came after
     * {@code from.<replica>=OFFSET} (following); searched by {@code q} (text), {@code level} (lowest kept) and
     * {@code since}/{@code until} (epoch ms) over the last {@value ReplicaLogs#MAX_LINES} lines of each replica
     * when any is given; {@code format=text} answers a download of the lines, each prefixed with its replica.
     */
    private void logs(Context ctx) throws IOException, InterruptedException {
        String deployment = ctx.pathParam("deployment");
        ReplicaLogs.Query query = ReplicaLogs.Query.of(ctx.queryParam("lines"), null);
        if (query.error() != null) {
            json(ctx, 400, Map.of("status", 0, "error", query.error()));
            return;
        }
        Map<String, Long> from;
        LogSearch search;
        try {
            from = followOffsets(ctx);
            search = new LogSearch(ctx.queryParam("q"), ctx.queryParam("level"),
                    wholeNumber("since", ctx.queryParam("since")), wholeNumber("until", ctx.queryParam("until")));
        } catch (IllegalArgumentException e) {
            json(ctx, 400, Map.of("status", 0, "error", e.getMessage()));
            return;
        }
        boolean known = report.get().deployments().stream().anyMatch(d -> d.name().equals(deployment));
        int read = search.isAny() ? query.lines() : ReplicaLogs.MAX_LINES;
        List<DeploymentLogs.Entry> entries = new java.util.ArrayList<>();
        for (DeploymentLogs.Entry entry : logs.read(deployment, read, from)) {
            List<String> found = search.filter(entry.lines(), java.time.ZoneId.systemDefault());
            if (!search.isAny() && !from.containsKey(entry.replica()) && found.size() > query.lines()) {
                found = found.subList(found.size() - query.lines(), found.size());
            }
            entries.add(new DeploymentLogs.Entry(entry.replica(), entry.node(), entry.state(), List.copyOf(found),
                    entry.offset(), entry.skipped(), entry.error()));
        }
        if (!known && entries.isEmpty()) {
            json(ctx, 404, Map.of("status", 0, "error", "no deployment " + deployment + "; see /api/status"));
            return;
        }
        if ("text".equals(ctx.queryParam("format"))) {
            StringBuilder text = new StringBuilder();
            entries.forEach(e -> e.lines().forEach(line -> text.append('[').append(e.replica()).append("] ").append(line).append('\n')));
            ctx.status(200).contentType("text/plain; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"" + deployment.replaceAll("[^A-Za-z0-9._@-]", "_")
                            + "-logs.txt\"").result(text.toString());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("deployment", deployment);
        body.put("replicas", entries);
        json(ctx, 200, body);
    }

    /**
     * {@code GET /api/requests/<deployment>}: the newest {@code lines} requests of the deployment's access
     * log from every node, oldest first, or what came after {@code from.<node>=OFFSET} (following);
     * searched by {@code status} (2xx..5xx, errors), {@code q} (text) and {@code min_ms} (slowest only);
     * {@code format=jsonl} answers a download of the matching lines, one JSON object each.
     */
    private void requests(Context ctx) throws IOException, InterruptedException {
        String deployment = ctx.pathParam("deployment");
        ReplicaLogs.Query query = ReplicaLogs.Query.of(ctx.queryParam("lines"), null);
        if (query.error() != null) {
            json(ctx, 400, Map.of("status", 0, "error", query.error()));
            return;
        }
        if (!LogTail.isFileName(deployment)) {
            json(ctx, 400, Map.of("status", 0, "error", "not a deployment name: " + deployment));
            return;
        }
        Map<String, Long> from;
        RequestFilter filter;
        try {
            from = followOffsets(ctx);
            filter = new RequestFilter(ctx.queryParam("status"), ctx.queryParam("q"), decimal("min_ms", ctx.queryParam("min_ms")));
        } catch (IllegalArgumentException e) {
            json(ctx, 400, Map.of("status", 0, "error", e.getMessage()));
            return;
        }
        if (report.get().deployments().stream().noneMatch(d -> d.name().equals(deployment))) {
            json(ctx, 404, Map.of("status", 0, "error", "no deployment " + deployment + "; see /api/status"));
            return;
        }
        DeploymentRequests.Page page = requests.read(deployment, query.lines(), from, filter);
        if ("jsonl".equals(ctx.queryParam("format"))) {
            StringBuilder text = new StringBuilder();
            for (RequestLogLine line : page.requests()) {
                text.append(JSON.writeValueAsString(line)).append('\n');
            }
            ctx.status(200).contentType("application/x-ndjson; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"" + deployment + "-requests.jsonl\"")
                    .result(text.toString());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("deployment", deployment);
        body.put("requests", page.requests());
        body.put("nodes", page.nodes());
        json(ctx, 200, body);
    }

    /** A follower's {@code from.<replica or node>=OFFSET} parameters: where each part's last read ended. */
    private static Map<String, Long> followOffsets(Context ctx) {
        Map<String, Long> from = new HashMap<>();
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            if (param.getKey().startsWith("from.") && !param.getValue().isEmpty()) {
                from.put(param.getKey().substring(5), wholeNumber(param.getKey(), param.getValue().getFirst()));
            }
        }
        return from;
    }

    private static double decimal(String name, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got " + value);
        }
    }

    private static long wholeNumber(String name, String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number"
                    + (name.startsWith("from.") ? "" : " (milliseconds since the epoch)"));
        }
    }

    private static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
