package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "requests", mixinStandardHelpOptions = true, description = "The request log of a deployment (the access log every node writes when conf.ini "
        + "says access_log = true), merged across nodes, oldest first.")
final class RequestsCommand implements Callable<Integer> {
    private static final long FOLLOW_INTERVAL_MS = 1_000;

    @Parameters(index = "0", description = "the deployment (section name without 'algopkg.')")
    String deployment;

    @Option(names = {"-f", "--follow"}, description = "keep printing new requests until interrupted")
    boolean follow;

    @Option(names = {"-n", "--lines"}, defaultValue = "50", description = "how many of the newest requests to print first (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--status", description = "only 2xx, 4xx, 5xx, or errors (400 and above)")
    String status;

    @Option(names = "--min-ms", description = "only requests that took at least this many milliseconds")
    Double minMs;

    @Option(names = {"-q", "--query"}, description = "only requests whose route, replica, version, node or protocol contains this")
    String query;

    @Mixin
    HeadTarget target;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        StringBuilder path = new StringBuilder("/api/requests/").append(URLEncoder.encode(deployment, StandardCharsets.UTF_8))
                .append("?lines=").append(lines);
        if (status != null) {
            path.append("&status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8));
        }
        if (minMs != null) {
            path.append("&min_ms=").append(minMs);
        }
        if (query != null) {
            path.append("&q=").append(URLEncoder.encode(query, StandardCharsets.UTF_8));
        }
        Map<String, Long> offsets = new LinkedHashMap<>();
        while (true) {
            AdminClient.Answer answer;
            try {
                answer = client.get(path + LogsCommand.fromParameters(offsets));
            } catch (ConnectException e) {
                System.err.println("no head answers at " + client.base());
                return 1;
            }
            if (answer.status() != 200) {
                System.err.println("requests of " + deployment + ": " + answer.body().path("error").asText("HTTP " + answer.status()));
                return 1;
            }
            for (JsonNode request : answer.body().path("requests")) {
                System.out.println(line(request));
            }
            for (JsonNode node : answer.body().path("nodes")) {
                String id = node.path("node").asText();
                if (node.path("error").isTextual()) {
                    System.err.println("[" + id + "] " + node.path("error").asText());
                } else {
                    offsets.put(id, node.path("offset").asLong());
                }
            }
            System.out.flush();
            if (!follow) {
                return 0;
            }
            Thread.sleep(FOLLOW_INTERVAL_MS);
        }
    }

    /** {@code 2026-12-02T05:00:00.125Z  200  rest  /extract  AlgoExample-1a2b3c@node-1  1.52 ms (queue 0.01, compute 1.20)} */
    static String line(JsonNode request) {
        return request.path("time").asText() + "  " + request.path("status").asInt() + "  " + request.path("protocol").asText("-")
                + "  " + request.path("route").asText("-") + "  " + text(request, "replica") + "@" + text(request, "node")
                + (request.path("version").isTextual() ? "  v" + request.path("version").asText() : "")
                + "  " + ms(request.path("totalMs")) + " ms (queue " + ms(request.path("queueMs")) + ", compute "
                + ms(request.path("computeMs")) + ")  in " + bytes(request.path("bytesIn")) + ", out "
                + bytes(request.path("bytesOut"));
    }

    private static String bytes(JsonNode value) {
        return value.isNumber() ? value.asLong() + " B" : "-";
    }

    private static String text(JsonNode request, String field) {
        return request.path(field).isTextual() ? request.path(field).asText() : "-";
    }

    private static String ms(JsonNode value) {
        return value.isNumber() ? String.format(java.util.Locale.ROOT, "%.2f", value.asDouble()) : "-";
    }
}
