package io.modelserve.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One {@code [algopkg.<name>]} section of conf.ini, parsed, validated and with its files digested.
 *
 * <p>{@link #version()} hashes what needs a restart to change (backend class, plugin jars, model
 * files, resource costs, batching and queue settings). {@code replicas}, {@code config.*}, {@code route},
 * {@code method} and {@code timeout_ms} are outside it: they change on running replicas.
 */
public record DeploymentSpec(
        String name,
        String route,
        List<String> methods,
        String backend,
        List<Artifact> pluginJars,
        List<Artifact> models,
        int replicas,
        Resources cost,
        int maxBatchSize,
        int batchWaitMs,
        int maxQueued,
        long timeoutMs,
        Map<String, String> config,
        boolean retry,
        Map<String, String> options,
        String version) {

    public DeploymentSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(cost, "cost");
        methods = List.copyOf(methods);
        pluginJars = List.copyOf(pluginJars);
        models = List.copyOf(models);
        config = Map.copyOf(config);
        options = options == null ? Map.of() : Map.copyOf(options);
        if (version == null || version.isEmpty()) {
            version = computeVersion(backend, pluginJars, models, cost, maxBatchSize, batchWaitMs, maxQueued, options);
        }
    }

    /** A spec whose version is derived from its fields. */
    public static DeploymentSpec of(String name, String route, List<String> methods, String backend,
            List<Artifact> pluginJars, List<Artifact> models, int replicas, Resources cost, int maxBatchSize,
            int batchWaitMs, int maxQueued, long timeoutMs, Map<String, String> config) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, true, Map.of(), null);
    }

    public boolean isBuiltin() {
        return backend.startsWith("builtin:");
    }

    public DeploymentSpec withReplicas(int count) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, count, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version);
    }

    /** {@code retry = false}: a request lost with its node is answered with an error, not run again. */
    public DeploymentSpec withRetry(boolean retryOnNodeLoss) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retryOnNodeLoss, options, version);
    }

    /** Options of a built-in backend (plain keys of its section); they are part of the version. */
    public DeploymentSpec withOptions(Map<String, String> builtinOptions) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, builtinOptions, null);
    }

    /** This spec running the live settings of {@code desired} (config, timeout, retry) on its own version. */
    public DeploymentSpec withLiveSettingsOf(DeploymentSpec desired) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, desired.timeoutMs, desired.config, desired.retry, options, version);
    }

    /** A digest of the {@code config.*} keys, so a replica can say which configuration it runs. */
    public String configDigest() {
        return digest(new TreeMap<>(config).toString()).substring(0, 16);
    }

    static String computeVersion(String backend, List<Artifact> jars, List<Artifact> models, Resources cost,
            int maxBatchSize, int batchWaitMs, int maxQueued, Map<String, String> options) {
        StringBuilder text = new StringBuilder(backend);
        for (Artifact jar : jars) {
            text.append("|jar:").append(jar.name()).append('=').append(jar.sha256());
        }
        for (Artifact model : models) {
            text.append("|model:").append(model.name()).append('=').append(model.sha256());
        }
        text.append("|cost:").append(cost.cpuMilli()).append('/').append(cost.gpuMilli());
        if (!options.isEmpty()) {
            text.append("|options:").append(new TreeMap<>(options));
        }
        text.append("|batch:").append(maxBatchSize).append('/').append(batchWaitMs).append("|queue:").append(maxQueued);
        return digest(text.toString()).substring(0, 12);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
