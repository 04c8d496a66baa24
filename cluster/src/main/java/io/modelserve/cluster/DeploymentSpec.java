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
 * {@code method}, {@code timeout_ms} and {@code traffic} are outside it: they change on running replicas.
 *
 * <p>A canary is a section {@code [algopkg.<Main>@<label>]}: its name is {@code <Main>@<label>}, it
 * serves the route of {@code <Main>} and takes {@link #traffic()} percent of its unpinned requests.
 *
 * @param bare    {@code envelope = false}: results are answered as the whole body and errors as
 *                {@code {"error": ...}}, without the {@code {"status":...}} envelope; the ingress's
 *                concern only, so outside the version (absent in older state: false, the envelope)
 * @param traffic percent of the main deployment's requests a canary takes (0..100); 0 for a main deployment
 * @param multiplex the models a request may name, when the section has {@code models =}; null otherwise
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
        String version,
        int traffic,
        Autoscaling autoscaling,
        Isolation isolation,
        boolean bare,
        Multiplex multiplex) {

    /** Separates a main deployment's name from a canary's label: {@code TextEmbedding@v2}. */
    public static final char CANARY_MARK = '@';
    /** The label that pins a request to the main deployment. */
    public static final String MAIN_LABEL = "main";

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
        isolation = isolation == null ? Isolation.IN_PROCESS : isolation;
        if (version == null || version.isEmpty()) {
            version = computeVersion(backend, pluginJars, models, cost, maxBatchSize, batchWaitMs, maxQueued, options, isolation,
                    multiplex);
        }
    }

    /** A spec whose version is derived from its fields. */
    public static DeploymentSpec of(String name, String route, List<String> methods, String backend,
            List<Artifact> pluginJars, List<Artifact> models, int replicas, Resources cost, int maxBatchSize,
            int batchWaitMs, int maxQueued, long timeoutMs, Map<String, String> config) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, true, Map.of(), null, 0, null, Isolation.IN_PROCESS, false, null);
    }

    /** Autoscaling within {@code range}, or fixed replicas when null. */
    public DeploymentSpec withAutoscaling(Autoscaling range) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version, traffic, range, isolation, bare, multiplex);
    }

    /** Runs replicas in child JVMs ({@code isolation = process}); part of the version. */
    public DeploymentSpec withIsolation(Isolation mode) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, null, traffic, autoscaling, mode, bare, multiplex);
    }

    /** {@code envelope = false}: see {@link #bare()}. */
    public DeploymentSpec withBare(boolean withoutEnvelope) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version, traffic, autoscaling, isolation, withoutEnvelope, multiplex);
    }

    /** Serves many models from each replica ({@code models =}); part of the version. */
    public DeploymentSpec withMultiplex(Multiplex models) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, this.models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, null, traffic, autoscaling, isolation, bare, models);
    }

    /** Whether requests name one of many models ({@link #multiplex()} is set). */
    public boolean isMultiplexed() {
        return multiplex != null;
    }

    public boolean isAutoscaled() {
        return autoscaling != null;
    }

    /** {@code TextEmbedding} for both {@code TextEmbedding} and its canary {@code TextEmbedding@v2}. */
    public String mainName() {
        int mark = name.indexOf(CANARY_MARK);
        return mark < 0 ? name : name.substring(0, mark);
    }

    /** {@code v2} for {@code TextEmbedding@v2}, {@value #MAIN_LABEL} for a main deployment. */
    public String label() {
        int mark = name.indexOf(CANARY_MARK);
        return mark < 0 ? MAIN_LABEL : name.substring(mark + 1);
    }

    public boolean isCanary() {
        return name.indexOf(CANARY_MARK) >= 0;
    }

    /** A canary's share of its main deployment's route, in percent; changes without a restart. */
    public DeploymentSpec withTraffic(int percent) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version, percent, autoscaling, isolation, bare, multiplex);
    }

    /** A canary serving the route and methods of its main deployment. */
    public DeploymentSpec withRouteOf(DeploymentSpec main) {
        return new DeploymentSpec(name, main.route, main.methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version, traffic, autoscaling, isolation, bare, multiplex);
    }

    /**
     * The plugin this deployment runs, as named in algopkg_dir (the jar without {@code .jar}, or the
     * folder), derived from its jars so that it cannot disagree with what is shipped; the backend
     * ({@code builtin:<name>}) for a built-in. Several sections may run one plugin ({@code plugin =}).
     */
    public String plugin() {
        if (pluginJars.isEmpty()) {
            return backend;
        }
        String first = pluginJars.getFirst().name();
        int slash = first.indexOf('/');
        if (slash >= 0) {
            return first.substring(0, slash);
        }
        return first.endsWith(".jar") ? first.substring(0, first.length() - ".jar".length()) : first;
    }

    public boolean isBuiltin() {
        return backend.startsWith("builtin:");
    }

    public DeploymentSpec withReplicas(int count) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, count, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, options, version, traffic, autoscaling, isolation, bare, multiplex);
    }

    /** {@code retry = false}: a request lost with its node is answered with an error, not run again. */
    public DeploymentSpec withRetry(boolean retryOnNodeLoss) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retryOnNodeLoss, options, version, traffic, autoscaling, isolation, bare, multiplex);
    }

    /** Options of a built-in backend (plain keys of its section); they are part of the version. */
    public DeploymentSpec withOptions(Map<String, String> builtinOptions) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config, retry, builtinOptions, null, traffic, autoscaling, isolation, bare, multiplex);
    }

    /** This spec running the live settings of {@code desired} (config, timeout, retry) on its own version. */
    public DeploymentSpec withLiveSettingsOf(DeploymentSpec desired) {
        return new DeploymentSpec(name, route, methods, backend, pluginJars, models, replicas, cost,
                maxBatchSize, batchWaitMs, maxQueued, desired.timeoutMs, desired.config, desired.retry, options, version, desired.traffic, desired.autoscaling, isolation, bare, multiplex);
    }

    /** A digest of the {@code config.*} keys, so a replica can say which configuration it runs. */
    public String configDigest() {
        return digest(new TreeMap<>(config).toString()).substring(0, 16);
    }

    static String computeVersion(String backend, List<Artifact> jars, List<Artifact> models, Resources cost,
            int maxBatchSize, int batchWaitMs, int maxQueued, Map<String, String> options, Isolation isolation,
            Multiplex multiplex) {
        StringBuilder text = new StringBuilder(backend);
        for (Artifact jar : jars) {
            text.append("|jar:").append(jar.name()).append('=').append(jar.sha256());
        }
        for (Artifact model : models) {
            text.append("|model:").append(model.name()).append('=').append(model.sha256());
        }
        text.append("|cost:").append(cost.cpuMilli()).append('/').append(cost.gpuMilli());
        if (cost.gpuMemoryBytes() > 0) {
            text.append("|gpu_memory:").append(cost.gpuMemoryBytes()); // absent before: older versions unchanged
        }
        if (!options.isEmpty()) {
            text.append("|options:").append(new TreeMap<>(options));
        }
        if (multiplex != null) {
            text.append("|multiplex:").append(multiplex.maxPerReplica());
            for (Artifact model : multiplex.models()) {
                text.append(",").append(model.name()).append('=').append(model.sha256());
            }
        }
        if (isolation.isPython()) {
            text.append("|isolation:python/").append(isolation.memoryLimitMb()).append('/').append(isolation.interpreter());
        } else if (isolation.isProcess()) {
            text.append("|isolation:process/").append(isolation.memoryLimitMb());
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
