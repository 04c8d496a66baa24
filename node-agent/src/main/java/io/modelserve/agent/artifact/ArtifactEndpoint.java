package io.modelserve.agent.artifact;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.transport.ClusterSecret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET /-/artifacts/<sha256>}: hands a plugin jar or model file to another node. It serves only
 * a file whose content has the digest asked for, found in this node's verified cache or, on a head,
 * under its own {@code algopkg_dir} and {@code model_zoo} ({@link ServedFiles}). No entry names the
 * file: a forged deployment cannot make it serve anything else. The receiver verifies again.
 */
public final class ArtifactEndpoint implements Ingress.Extension {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final ServedFiles files;
    private final ClusterSecret secret;

    public ArtifactEndpoint(ServedFiles files, ClusterSecret secret) {
        this.files = files;
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
        Optional<Path> file = files.find(sha);
        if (file.isEmpty()) {
            Ingress.error(ctx, 404, "no file with sha256 " + sha + " on this node");
            return;
        }
        ctx.header("Content-Length", String.valueOf(Files.size(file.get())));
        ctx.contentType("application/octet-stream");
        InputStream in = Files.newInputStream(file.get());
        ctx.result(in);
    }
}
