package io.modelserve.agent.artifact;

import io.modelserve.agent.transport.ClusterSecret;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Fetches an artifact from another node of the cluster by digest (heads first: they read the files
 * at apply), only from nodes whose entry verifies and whose member is in the cluster now, at that
 * member's address. What arrives is verified (size, sha256) by {@link ArtifactCache} before it is used.
 */
public final class PeerArtifactSource implements ArtifactCache.ArtifactSource {
    private final ClusterState state;
    private final String selfNodeId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private final ClusterSecret secret;

    public PeerArtifactSource(ClusterState state, String selfNodeId, ClusterSecret secret) {
        this.state = state;
        this.selfNodeId = selfNodeId;
        this.secret = secret;
    }

    @Override
    public Optional<InputStream> open(Artifact artifact) throws IOException {
        // Verified entries of current members, at their members' own addresses (ClusterState.verifiedNodes).
        java.util.List<NodeStatus> nodes = new java.util.ArrayList<>(state.verifiedNodes());
        nodes.sort(java.util.Comparator.comparing((NodeStatus n) -> !n.headEligible()).thenComparing(NodeStatus::nodeId));
        for (NodeStatus node : nodes) {
            if (node.nodeId().equals(selfNodeId)) {
                continue;
            }
            try {
                HttpResponse<InputStream> response = http.send(secret.sign(HttpRequest.newBuilder(
                        URI.create(node.ingressUrl() + "/-/artifacts/" + artifact.sha256())))
                        .timeout(Duration.ofMinutes(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() == 200) {
                    return Optional.of(response.body());
                }
                response.body().close();
            } catch (IOException e) {
                // That node is unreachable; try the next.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + artifact.name(), e);
            }
        }
        return Optional.empty();
    }
}
