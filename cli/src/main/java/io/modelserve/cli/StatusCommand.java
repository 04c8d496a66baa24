package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, description = "One line per replica: deployment, replica id, node, device, state, and the reason when not RUNNING.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "the same, as JSON for scripts")
    boolean json;

    @Mixin
    HeadTarget target;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        JsonNode report;
        try {
            report = client.get("/api/status").body();
        } catch (ConnectException e) {
            System.err.println("no head answers at " + client.base());
            return 1;
        }
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            return 0;
        }
        System.out.println("leader " + report.path("leader").asText() + ", generation " + report.path("generation").asLong()
                + (report.path("converged").asBoolean() ? ", converged" : ", converging"));
        for (JsonNode d : report.path("deployments")) {
            String traffic = d.path("traffic").isInt() ? ", " + d.path("traffic").asInt() + "% of traffic" : "";
            JsonNode health = d.path("health");
            String judged = health.isObject() ? " " + health.path("state").asText() + ": " + health.path("reason").asText() : "";
            System.out.printf("deployment %s %s %s: %d/%d ready (version %s)%s%s%n", d.path("name").asText(), String.join(",",
                    iterable(d.path("methods"))), d.path("route").asText(), d.path("ready").asInt(), d.path("desired").asInt(),
                    d.path("version").asText(), traffic, judged);
        }
        for (JsonNode a : report.path("autoscaling")) {
            System.out.printf("autoscale %s: %d replicas in %d..%d (target_ongoing %s): %s%n", a.path("deployment").asText(),
                    a.path("replicas").asInt(), a.path("min").asInt(), a.path("max").asInt(), a.path("targetOngoing").asText(),
                    a.path("reason").asText());
        }
        for (JsonNode n : report.path("nodes")) {
            for (JsonNode g : n.path("devices")) {
                System.out.println(gpuLine(n.path("id").asText(), g));
            }
        }
        System.out.printf("%-20s %-28s %-18s %-12s %s%n", "DEPLOYMENT", "REPLICA", "NODE", "DEVICE", "STATE");
        for (JsonNode r : report.path("replicas")) {
            String state = r.path("state").asText();
            String reason = r.path("reason").isNull() || r.path("reason").isMissingNode() ? "" : r.path("reason").asText();
            List<String> models = new ArrayList<>();
            r.path("models").forEach(m -> models.add(m.asText()));
            System.out.printf("%-20s %-28s %-18s %-12s %s%s%s%n", r.path("deployment").asText(), r.path("id").asText(),
                    r.path("node").asText(), r.path("device").asText(), state,
                    reason.isEmpty() || (state.equals("RUNNING") && reason.isEmpty()) ? "" : "  " + reason,
                    models.isEmpty() ? "" : "  models: " + String.join(",", models));
        }
        return 0;
    }

    /** {@code gpu node-a gpu:0 NVIDIA H200: reserved 0.5, 37% busy, memory 1.2g / 140g}; "(simulated, no device)" for the name of a simulated one. */
    static String gpuLine(String node, JsonNode g) {
        double utilization = g.path("utilization").asDouble(-1);
        long used = g.path("memoryUsedBytes").asLong(-1);
        String total = io.modelserve.cluster.Resources.formatBytes(g.path("memoryTotalBytes").asLong());
        return "gpu " + node + " gpu:" + g.path("index").asInt() + " "
                + (g.path("simulated").asBoolean() ? "(simulated, no device)" : g.path("name").asText()) + ": reserved "
                + g.path("reserved").asText() + ", " + (utilization < 0 ? "utilisation unknown" : Math.round(utilization * 100) + "% busy")
                + ", memory " + (used < 0 ? "?" : io.modelserve.cluster.Resources.formatBytes(used)) + " / " + total;
    }

    private static java.util.List<String> iterable(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
