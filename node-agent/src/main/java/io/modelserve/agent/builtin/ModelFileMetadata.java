package io.modelserve.agent.builtin;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built-in deployment's Open Inference metadata read from its model file, for when no replica is
 * there to answer: the file named by the spec, if this node has it, in its artifact cache (a replica
 * ran here) or, on a head, where apply read it. The file must still have the spec's digest. It never
 * fetches from other nodes: a metadata call should not copy a model across the cluster.
 */
final class ModelFileMetadata {
    private static final Logger log = LoggerFactory.getLogger(ModelFileMetadata.class);

    private final Path artifactCache;
    private final List<Path> servedDirs;

    /**
     * @param artifactCache the node's cache root ({@code <sha256>/<file name>} under it)
     * @param servedDirs    directories this node may read model files from (a head's Model_ZOO)
     */
    ModelFileMetadata(Path artifactCache, List<Path> servedDirs) {
        this.artifactCache = artifactCache;
        this.servedDirs = List.copyOf(servedDirs);
    }

    /** The metadata a replica of {@code spec} would answer, or empty when the model file is not here. */
    Optional<Map<String, Object>> of(DeploymentSpec spec) {
        Optional<Artifact> onnx = spec.models().stream().filter(a -> a.fileName().endsWith(".onnx")).findFirst();
        if (onnx.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> file = local(onnx.get());
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            ModelSignature signature = ModelSignature.ofOnnx(file.get());
            if (spec.backend().equals("builtin:" + TextEmbeddingBackend.NAME)) {
                long[] tokens = signature.outputs().getFirst().shape();
                return Optional.of(TextEmbeddingBackend.metadata(spec.name(), tokens[tokens.length - 1]));
            }
            return Optional.of(OpenInference.metadata(spec.name(), signature));
        } catch (Exception | LinkageError e) {
            log.warn("{}: cannot read the signature of {}: {}", spec.name(), file.get(), e.toString());
            return Optional.empty();
        }
    }

    private Optional<Path> local(Artifact artifact) {
        Path cached = artifactCache.resolve(artifact.sha256()).resolve(artifact.fileName());
        if (Files.isRegularFile(cached)) {
            return Optional.of(cached); // the cache holds verified files only
        }
        Path source = Path.of(artifact.sourcePath()).toAbsolutePath().normalize();
        boolean served = servedDirs.stream().anyMatch(dir -> source.startsWith(dir.toAbsolutePath().normalize()));
        try {
            if (served && Files.isRegularFile(source) && Files.size(source) == artifact.size()
                    && artifact.sha256().equals(sha256(source))) {
                return Optional.of(source);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
