package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A deployment's request log across the cluster: every node writes the requests its own ingress
 * received, so the head reads this node's file and asks each other node's ingress
 * ({@code /-/requests/<deployment>}), then merges the lines by time. A node that does not answer
 * turns into an error on its part, never a failed call.
 */
public final class DeploymentRequests {
    private static final ObjectMapper JSON = PooledJson.mapper();

    private final Supplier<? extends List<NodeStatus>> nodes;
    private final String localNode;
    private final RequestLogs local;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What one node contributed: the offset to follow from next time, or why it could not. */
    public record NodePart(String node, long offset, boolean skipped, String error) {}

    /** The matching requests, oldest first, and each node's part. */
    public record Page(List<RequestLogLine> requests, List<NodePart> nodes) {}

    public DeploymentRequests(Supplier<? extends List<NodeStatus>> nodes, String localNode, RequestLogs local) {
        this.nodes = nodes;
        this.localNode = localNode;
        this.local = local;
    }

    /**
     * @param lines the newest this many matching lines, when not following
     * @param from  per node, the offset a follower got last time; nodes not named get their tail
     */
    public Page read(String deployment, int lines, Map<String, Long> from, RequestFilter filter) throws InterruptedException {
        // A search looks through the longest tail; a plain view only needs the newest lines.
        int tail = filter.isAny() ? lines : ReplicaLogs.MAX_LINES;
        List<RequestLogLine> found = new ArrayList<>();
        List<NodePart> parts = new ArrayList<>();
        boolean following = !from.isEmpty();
        for (NodeStatus node : nodes.get()) {
            long offset = from.getOrDefault(node.nodeId(), -1L);
            try {
                LogTail.Tail part = node.nodeId().equals(localNode) ? local.read(deployment, offset, tail)
                        : fetch(node, deployment, offset, tail);
                part.lines().stream().map(RequestLogLine::parse).flatMap(java.util.Optional::stream)
                        .filter(filter::matches).forEach(found::add);
                parts.add(new NodePart(node.nodeId(), part.offset(), part.skipped(), null));
            } catch (IOException | RuntimeException e) {
                parts.add(new NodePart(node.nodeId(), offset, false,
                        "cannot read the request log of " + deployment + " on " + node.nodeId() + ": " + e.getMessage()));
            }
        }
        found.sort(Comparator.comparingLong(RequestLogLine::atMillis));
        int keep = following ? ReplicaLogs.MAX_LINES : lines;
        List<RequestLogLine> newest = found.size() > keep ? found.subList(found.size() - keep, found.size()) : found;
        return new Page(List.copyOf(newest), List.copyOf(parts));
    }

    private LogTail.Tail fetch(NodeStatus node, String deployment, long from, int lines) throws IOException, InterruptedException {
        URI uri = URI.create(node.ingressUrl() + "/-/requests/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8)
                + "?lines=" + lines + "&from=" + from);
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IOException(node.nodeId() + " answered " + response.statusCode() + ": " + body.path("error").asText());
        }
        List<String> text = new ArrayList<>();
        body.path("lines").forEach(line -> text.add(line.asText()));
        return new LogTail.Tail(text, body.path("offset").asLong(), body.path("exists").asBoolean(),
                body.path("skipped").asBoolean());
    }
}
