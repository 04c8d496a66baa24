package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.PooledJson;
import io.modelserve.cluster.ReplicaStatus;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The logs of a deployment's replicas, wherever they run: read from this node's files for its own
 * replicas, fetched from the owning node's ingress ({@code /-/logs/<replica>}) for the others.
 * A node that does not answer turns into an error on its replicas' entries, never a failed call.
 */
public final class DeploymentLogs {
    private static final ObjectMapper JSON = PooledJson.mapper();

    private final Supplier<? extends List<ReplicaStatus>> replicas;
    private final Supplier<? extends List<NodeStatus>> nodes;
    private final String localNode;
    private final ReplicaLogs local;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One replica's part of the answer. */
    public record Entry(String replica, String node, String state, List<String> lines, long offset, boolean skipped,
            String error) {}

    public DeploymentLogs(Supplier<? extends List<ReplicaStatus>> replicas, Supplier<? extends List<NodeStatus>> nodes,
            String localNode, ReplicaLogs local) {
        this.replicas = replicas;
        this.nodes = nodes;
        this.localNode = localNode;
        this.local = local;
    }

    /**
     * @param from per replica, the offset a follower got last time; replicas not named get their tail
     */
    public List<Entry> read(String deployment, int lines, Map<String, Long> from) throws InterruptedException {
        Map<String, NodeStatus> byId = new HashMap<>();
        nodes.get().forEach(node -> byId.put(node.nodeId(), node));
        List<ReplicaStatus> mine = new ArrayList<>(replicas.get().stream().filter(r -> r.deployment().equals(deployment)).toList());
        mine.sort(Comparator.comparingLong(ReplicaStatus::startedAtMillis).thenComparing(ReplicaStatus::replicaId));
        List<Entry> entries = new ArrayList<>();
        for (ReplicaStatus replica : mine) {
            long offset = from.getOrDefault(replica.replicaId(), -1L);
            entries.add(readOne(replica, byId.get(replica.node()), lines, offset));
        }
        return entries;
    }

    private Entry readOne(ReplicaStatus replica, NodeStatus node, int lines, long from) throws InterruptedException {
        String state = replica.state().name();
        try {
            if (replica.node().equals(localNode)) {
                ReplicaLogs.Chunk chunk = local.read(replica.replicaId(), from, lines);
                return new Entry(replica.replicaId(), replica.node(), state, chunk.lines(), chunk.offset(), chunk.skipped(),
                        chunk.exists() ? null : "no log file yet");
            }
            if (node == null) {
                return new Entry(replica.replicaId(), replica.node(), state, List.of(), from, false,
                        "node " + replica.node() + " is not in the cluster");
            }
            URI uri = URI.create(node.ingressUrl() + "/-/logs/" + URLEncoder.encode(replica.replicaId(), StandardCharsets.UTF_8)
                    + "?lines=" + lines + "&from=" + from);
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                return new Entry(replica.replicaId(), replica.node(), state, List.of(), from, false,
                        node.nodeId() + " answered " + response.statusCode() + ": " + body.path("error").asText());
            }
            List<String> text = new ArrayList<>();
            body.path("lines").forEach(line -> text.add(line.asText()));
            return new Entry(replica.replicaId(), replica.node(), state, text, body.path("offset").asLong(),
                    body.path("skipped").asBoolean(), body.path("exists").asBoolean() ? null : "no log file yet");
        } catch (IOException | RuntimeException e) {
            return new Entry(replica.replicaId(), replica.node(), state, List.of(), from, false,
                    "cannot read the log of " + replica.replicaId() + " on " + replica.node() + ": " + e);
        }
    }
}
