package io.modelserve.agent.artifact;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.transport.ClusterSecret;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /-/artifacts/<sha256>}: hands a plugin jar or model file to another node, from this
 * node's verified cache or from the file the head read at apply. Only files named by a deployment
 * or an assignment are served — never an arbitrary path — and the receiver verifies the digest.
 */
public final class ArtifactEndpoint implements Ingress.Extension {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path cacheRoot;
    private final ClusterState state;
    private final ClusterSecret secret;

    public ArtifactEndpoint(Path cacheRoot, ClusterState state, ClusterSecret secret) {
        this.cacheRoot = cacheRoot;
        this.state = state;
        this.secret = secret;
    }

    @Override
    public void register(Javalin app) {
        app.get("/-/artifacts/{sha}", this::serve);
    }

    private void serve(Context ctx) throws IOException {
        if (!secret.admits(ctx.header(ClusterSecret.HEADER))) {
            Ingress.error(ctx, 403, "artifact transfer needs the cluster secret");
            return;
        }
        String sha = ctx.pathParam("sha");
        if (!SHA256.matcher(sha).matches()) {
            Ingress.error(ctx, 400, "not a sha256 digest");
            return;
        }
        Optional<Artifact> known = known(sha);
        if (known.isEmpty()) {
            Ingress.error(ctx, 404, "no artifact " + sha + " in this cluster's deployments");
            return;
        }
        Optional<Path> file = locate(known.get());
        if (file.isEmpty()) {
            Ingress.error(ctx, 404, "artifact " + sha + " is not on this node");
            return;
        }
        ctx.header("Content-Length", String.valueOf(Files.size(file.get())));
        ctx.contentType("application/octet-stream");
        InputStream in = Files.newInputStream(file.get());
        ctx.result(in);
    }

    private Optional<Artifact> known(String sha) {
        List<DeploymentSpec> specs = new ArrayList<>(state.deployments().values());
        for (ReplicaAssignment assignment : state.assignments().values()) {
            specs.add(assignment.spec());
        }
        for (DeploymentSpec spec : specs) {
            for (Artifact artifact : spec.pluginJars()) {
                if (artifact.sha256().equals(sha)) {
                    return Optional.of(artifact);
                }
            }
            for (Artifact artifact : spec.models()) {
                if (artifact.sha256().equals(sha)) {
                    return Optional.of(artifact);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Path> locate(Artifact artifact) throws IOException {
        Path cached = cacheRoot.resolve(artifact.sha256()).resolve(artifact.fileName());
        if (Files.isRegularFile(cached) && Files.size(cached) == artifact.size()) {
            return Optional.of(cached);
        }
        Path source = Path.of(artifact.sourcePath());
        if (Files.isRegularFile(source) && Files.size(source) == artifact.size()) {
            return Optional.of(source);
        }
        return Optional.empty();
    }
}
