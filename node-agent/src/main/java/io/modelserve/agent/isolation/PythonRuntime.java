package io.modelserve.agent.isolation;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A node's Python replicas ({@code runtime = python}): where their packages, model folders,
 * environments and the shipped {@code modelserve_runtime.py} live on this node, under one root.
 * Everything there is named by content — a package by the digests of its files, an environment by
 * its interpreter, requirements and wheels — so it is built once per node and shared by the replicas
 * (and restarts) that need the same; a directory counts only once its {@value #READY} mark is written.
 */
public final class PythonRuntime {
    static final String READY = ".modelserve-ready";
    private static final String MODULE = "modelserve_runtime.py";

    private final Path root;
    /** One builder per directory at a time; the others wait for it and then find it ready. */
    private final ConcurrentHashMap<Path, Object> building = new ConcurrentHashMap<>();

    public PythonRuntime(Path root) {
        this.root = root;
    }

    /**
     * A replica of a Python package in a child interpreter.
     *
     * @param files  the spec's {@code pluginJars} (the package's files, then its wheels), materialized, in order
     * @param models the spec's model files, materialized
     */
    public ChildBackend backend(DeploymentSpec spec, String replicaId, List<Path> files, List<Path> models, Path logFile) {
        return new ChildBackend(new PythonChild(this, spec, replicaId, files, models, logFile), replicaId, logFile);
    }

    /** {@code <root>/packages/<digest>/}: {@code algopkg/<Name>/} and {@code wheelhouse/}, laid out as on the head. */
    Path packageRoot(List<Artifact> artifacts, List<Path> files) throws IOException {
        StringBuilder identity = new StringBuilder();
        artifacts.forEach(a -> identity.append(a.name()).append('=').append(a.sha256()).append('\n'));
        Path dir = root.resolve("packages").resolve(sha256(identity.toString()).substring(0, 24));
        build(dir, staging -> {
            for (int i = 0; i < artifacts.size(); i++) {
                String name = artifacts.get(i).name();
                Path target = staging.resolve(name.startsWith("wheelhouse/") ? name : "algopkg/" + name).normalize();
                if (!target.startsWith(staging)) {
                    throw new IOException("package file " + name + " leaves its folder");
                }
                Files.createDirectories(target.getParent());
                Files.copy(files.get(i), target, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.createDirectories(staging.resolve("wheelhouse"));
        });
        return dir;
    }

    /** {@code <root>/zoo/<digest>/}: the model files under their Model_ZOO names (links into the artifact cache). */
    Path modelZoo(List<Artifact> artifacts, List<Path> files) throws IOException {
        StringBuilder identity = new StringBuilder();
        artifacts.forEach(a -> identity.append(a.name()).append('=').append(a.sha256()).append('\n'));
        Path dir = root.resolve("zoo").resolve(sha256(identity.toString()).substring(0, 24));
        build(dir, staging -> {
            for (int i = 0; i < artifacts.size(); i++) {
                Path target = staging.resolve(artifacts.get(i).name()).normalize();
                if (!target.startsWith(staging)) {
                    throw new IOException("model file " + artifacts.get(i).name() + " leaves Model_ZOO");
                }
                Files.createDirectories(target.getParent());
                Files.createSymbolicLink(target, files.get(i).toAbsolutePath());
            }
        });
        return dir;
    }

    /** The shipped module, written once per content. */
    Path module() throws IOException {
        byte[] text;
        try (InputStream in = PythonRuntime.class.getResourceAsStream("/io/modelserve/agent/python/" + MODULE)) {
            if (in == null) {
                throw new IOException(MODULE + " is missing from the node's classpath");
            }
            text = in.readAllBytes();
        }
        Path dir = root.resolve("runtime").resolve(sha256(new String(text, StandardCharsets.UTF_8)).substring(0, 16));
        build(dir, staging -> Files.write(staging.resolve(MODULE), text));
        return dir.resolve(MODULE);
    }

    Path environments() {
        return root.resolve("venvs");
    }

    /** What fills a directory; it may throw, and the half-built directory is then removed. */
    interface Filling {
        void fill(Path dir) throws Exception;
    }

    /** Builds {@code dir} unless it is ready; concurrent callers for the same directory wait for one build. */
    void build(Path dir, Filling filling) throws IOException {
        if (Files.exists(dir.resolve(READY))) {
            return;
        }
        synchronized (building.computeIfAbsent(dir, d -> new Object())) {
            if (Files.exists(dir.resolve(READY))) {
                return;
            }
            delete(dir);
            Files.createDirectories(dir);
            try {
                filling.fill(dir);
            } catch (IOException | RuntimeException e) {
                delete(dir);
                throw e;
            } catch (Exception e) {
                delete(dir);
                throw new IOException(e.getMessage(), e);
            }
            Files.writeString(dir.resolve(READY), "");
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
