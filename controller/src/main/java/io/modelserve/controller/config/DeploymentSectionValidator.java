package io.modelserve.controller.config;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Validates one {@code [algopkg.<Name>]} section into a {@link DeploymentSpec}, files digested. */
final class DeploymentSectionValidator {
    static final String PREFIX = "algopkg.";
    static final String CONFIG_PREFIX = "config.";
    static final List<String> KEYS = List.of("backend", "model", "replicas", "gpu_cost", "gpu_memory", "cpu_cost", "route",
            "method", "max_batch_size", "batch_wait_ms", "max_queued", "timeout_ms", "retry", "traffic",
            "target_ongoing", "upscale_delay_s", "downscale_delay_s", "isolation", "memory_limit", "envelope", "access_log",
            "plugin", MultiplexKeys.MODELS, MultiplexKeys.MAX, "runtime", "python");

    private static final String BUILTIN = "builtin:";
    /** {@code backend = algo_backend}: a class of the package's backend.py. */
    private static final Pattern PYTHON_CLASS = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");
    /** Path segments, optionally ending in {@code /*} (a wildcard route: every path under it). */
    private static final Pattern ROUTE = Pattern.compile("[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*(/\\*)?");
    /** Also keeps the regexes below, which recurse per repetition, away from deep stacks. */
    private static final int MAX_NAME_LENGTH = 1024;
    private static final Pattern CONFIG_KEY = Pattern.compile("[A-Za-z0-9_.-]+");
    /** A plugin's name is a file or folder name directly in algopkg_dir, as a section's package name is. */
    private static final Pattern PLUGIN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.@-]{0,127}");

    private final Map<String, BuiltinSchema> builtins;
    private final FileDigests digests;
    /** What this parse found of each plugin and class; a validator lives for one parse only. */
    private final Map<String, PluginLocator.Outcome> located = new java.util.HashMap<>();
    private final Map<String, List<String>> classChecks = new java.util.HashMap<>();
    /** {@code python =} of [MODEL SERVE]: the interpreter of Python packages whose section names none. */
    private final String defaultPython;

    DeploymentSectionValidator(Map<String, BuiltinSchema> builtins, FileDigests digests) {
        this(builtins, digests, "");
    }

    DeploymentSectionValidator(Map<String, BuiltinSchema> builtins, FileDigests digests, String defaultPython) {
        this.builtins = Map.copyOf(builtins);
        this.digests = digests;
        this.defaultPython = defaultPython;
    }

    /**
     * The section's own {@code access_log}, when it has one (else {@code [MODEL SERVE]}'s applies);
     * the key's only validation. Outside the spec: whether a request is logged is its ingress's concern.
     */
    static Optional<Boolean> accessLog(IniDocument.Section section, ConfigErrors errors) {
        SectionValues values = new SectionValues(section, errors);
        return values.value("access_log").map(text -> values.bool("access_log", false));
    }

    /**
     * Empty when the section lacks a usable backend or route; every problem is reported either way.
     *
     * @param algopkg  empty when algopkg_dir is unusable (reported elsewhere): plugins go unchecked
     * @param modelZoo empty when model_zoo is unusable (reported elsewhere): models go unchecked
     */
    Optional<DeploymentSpec> validate(IniDocument.Section section, String name, Optional<RootDirectory> algopkg,
            Optional<RootDirectory> modelZoo, ConfigErrors errors) {
        boolean canary = name.indexOf(DeploymentSpec.CANARY_MARK) >= 0;
        SectionValues values = new SectionValues(section, errors);
        String plugin = pluginName(values, name);
        boolean python = python(values, plugin, algopkg);
        Optional<String> backend = python ? pythonBackend(values) : backend(values);
        Optional<BuiltinSchema> builtin = backend.filter(b -> b.startsWith(BUILTIN))
                .map(b -> builtins.get(b.substring(BUILTIN.length())));
        if (builtin.isPresent() && values.value("plugin").isPresent()) {
            values.error("plugin", "a builtin backend runs no plugin; remove 'plugin' or name a backend class");
        }
        Map<String, String> config = config(values, builtin);
        Map<String, String> options = builtin.map(schema -> options(values, schema)).orElse(Map.of());
        List<Artifact> jars = !python && backend.filter(b -> !b.startsWith(BUILTIN)).isPresent() && algopkg.isPresent()
                ? pluginJars(values, plugin, backend.get(), algopkg.get()) : List.of();
        if (python && backend.isPresent() && algopkg.isPresent()) {
            jars = pythonFiles(values, plugin, backend.get(), algopkg.get());
        }
        List<Artifact> models = modelZoo.map(zoo -> models(values, zoo)).orElse(List.of());
        if (builtin.isPresent() && modelZoo.isPresent()) {
            models = withOptionFiles(values, builtin.get(), models, modelZoo.get());
        }
        int replicas = ScalingKeys.replicas(values);
        Optional<io.modelserve.cluster.Autoscaling> autoscaling = ScalingKeys.autoscaling(values);
        io.modelserve.cluster.Isolation isolation = python ? pythonIsolation(values) : ScalingKeys.isolation(values);
        long gpuMilli = values.milli("gpu_cost", 0, 1000);
        long gpuMemory = gpuMemory(values, gpuMilli);
        long cpuMilli = values.milli("cpu_cost", 1000, -1);
        // A canary serves its main deployment's route: it may repeat it, and ConfigParser fills it in.
        Optional<String> route = canary && values.value("route").isEmpty() ? Optional.of("") : route(values);
        List<String> methods = methods(values);
        int traffic = traffic(values, canary);
        int maxBatchSize = values.wholeNumber("max_batch_size", 1, 1, 1024);
        int batchWaitMs = values.wholeNumber("batch_wait_ms", 5, 0, 10_000);
        int maxQueued = values.wholeNumber("max_queued", 100, 1, 100_000);
        long timeoutMs = values.wholeNumber("timeout_ms", 30_000L, 1, 3_600_000);
        boolean retry = values.bool("retry", true);
        boolean envelope = values.bool("envelope", true);
        Optional<io.modelserve.cluster.Multiplex> multiplex = modelZoo.flatMap(zoo -> MultiplexKeys.read(values, zoo,
                builtin.isPresent(), route.filter(r -> r.endsWith("/*")).isPresent(),
                (key, files) -> digest(values, key, zoo, files)));
        if (backend.isEmpty() || route.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(DeploymentSpec.of(name, route.get(), methods, backend.get(), jars, models, replicas,
                new Resources(cpuMilli, gpuMilli, gpuMemory), maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config).withRetry(retry).withBare(!envelope)
                .withOptions(options).withTraffic(traffic).withIsolation(isolation).withAutoscaling(autoscaling.orElse(null)).withMultiplex(multiplex.orElse(null)));
    }

    /**
     * {@code gpu_memory = 6g}: a GPU share by memory instead of a fraction; the scheduler turns it into
     * the share of the device it lands on. One of the two: both at once would say two different things.
     */
    private static long gpuMemory(SectionValues values, long gpuMilli) {
        Optional<String> text = values.value("gpu_memory").filter(v -> !v.isBlank());
        if (text.isEmpty()) {
            return 0;
        }
        long bytes;
        try {
            bytes = Resources.parseBytes(text.get());
        } catch (NumberFormatException e) {
            values.error("gpu_memory", "must be " + e.getMessage() + ", got " + ConfigErrors.quote(text.get()));
            return 0;
        }
        if (bytes == 0) {
            values.error("gpu_memory", "must be more than 0 (leave it out for a CPU-only replica)");
            return 0;
        }
        if (gpuMilli > 0) {
            values.error("gpu_memory", "give gpu_cost or gpu_memory, not both: gpu_memory asks for a share of the"
                    + " device by its memory");
            return 0;
        }
        return bytes;
    }

    /**
     * Whether the section runs a Python package: {@code runtime = python}, or, without that key, a
     * package folder holding {@code backend.py} and no jar.
     */
    private static boolean python(SectionValues values, String name, Optional<RootDirectory> algopkg) {
        Optional<String> runtime = values.value("runtime").map(v -> v.strip().toLowerCase(Locale.ROOT));
        boolean python = runtime.filter(r -> r.equals("python") || r.equals("java")).map(r -> r.equals("python"))
                .orElseGet(() -> algopkg.map(dir -> new PluginLocator(dir).looksPython(name)).orElse(false)
                        && !values.string("backend", "").startsWith(BUILTIN));
        if (runtime.isPresent() && !runtime.get().equals("python") && !runtime.get().equals("java")) {
            values.error("runtime", "must be java or python, got " + ConfigErrors.quote(runtime.get()));
        }
        if (!python && values.value("python").isPresent()) {
            values.error("python", "only for a Python package (a folder with backend.py, or runtime = python)");
        }
        return python;
    }

    /** A Python replica is always a process of its own; its memory_limit and interpreter. */
    private io.modelserve.cluster.Isolation pythonIsolation(SectionValues values) {
        Optional<String> mode = values.value("isolation").map(v -> v.strip().toLowerCase(Locale.ROOT));
        if (mode.isPresent() && !mode.get().equals("process")) {
            values.error("isolation", "a Python package always runs each replica in a process of its own; "
                    + "remove the key or write isolation = process");
        }
        long memory = ScalingKeys.memoryLimitMb(values);
        for (String key : List.of(MultiplexKeys.MODELS, MultiplexKeys.MAX)) {
            if (values.value(key).isPresent()) {
                // The child protocol carries no model names per request: multiplexing is a Java plugin's.
                values.error(key, "multiplexed models are for Java plugins (MultiModelBackend); a Python package lists "
                        + "its files in model =");
            }
        }
        String interpreter = values.value("python").map(String::strip).orElse(defaultPython);
        if (values.value("python").isPresent() && interpreter.isEmpty()) {
            values.error("python", "must name an interpreter, e.g. /usr/bin/python3");
        }
        return new io.modelserve.cluster.Isolation(io.modelserve.cluster.Isolation.Mode.PYTHON, memory, interpreter);
    }

    private static Optional<String> pythonBackend(SectionValues values) {
        Optional<String> backend = values.required("backend").map(String::strip);
        if (backend.isPresent() && !PYTHON_CLASS.matcher(backend.get()).matches()) {
            values.error("backend", "must be the name of a class in the package's backend.py, e.g. algo_backend, got "
                    + ConfigErrors.quote(backend.get()));
            return Optional.empty();
        }
        return backend;
    }

    /** The package's files, then its wheelhouse's, digested; the class must be bound in backend.py. */
    private List<Artifact> pythonFiles(SectionValues values, String name, String className, RootDirectory algopkg) {
        PluginLocator locator = new PluginLocator(algopkg);
        PluginLocator.Outcome outcome = locator.locatePython(name);
        if (outcome instanceof PluginLocator.Problem problem) {
            values.error("backend", problem.message());
            return List.of();
        }
        PluginLocator.PythonPackage found = (PluginLocator.PythonPackage) outcome;
        new PythonClasses(found.dir().resolve("backend.py")).problem(className).ifPresent(p -> values.error("backend", p));
        List<Artifact> artifacts = new ArrayList<>(digest(values, "backend", algopkg, found.files()));
        for (Path wheel : found.wheels()) {
            try {
                artifacts.add(digests.artifact(WHEELHOUSE + wheel.getFileName(), wheel));
            } catch (IOException | RuntimeException e) {
                values.error("backend", "cannot read " + wheel + ": " + e.getMessage());
            }
        }
        return artifacts;
    }

    /** How the files of a package's wheelhouse are named among its artifacts. */
    static final String WHEELHOUSE = "wheelhouse/";

    /** Required in a canary section, refused in a main one (whose share is what its canaries leave). */
    private static int traffic(SectionValues values, boolean canary) {
        boolean given = values.value("traffic").isPresent();
        if (!canary) {
            if (given) {
                values.error("traffic", "traffic belongs in a canary section [" + PREFIX + values.section().name()
                        .substring(PREFIX.length()) + "@<label>]; the main deployment takes what its canaries leave");
            }
            return 0;
        }
        if (!given) {
            values.error("traffic", "required key is missing: the percent (0..100) of the main route's requests this "
                    + "canary takes");
            return 0;
        }
        return values.wholeNumber("traffic", 0, 0, 100);
    }

    /** Collects config.* and reports every key that is neither known, config.*, nor a key of the builtin. */
    private static Map<String, String> config(SectionValues values, Optional<BuiltinSchema> builtin) {
        Set<String> optionKeys = builtin.map(schema -> schema.options().keySet()).orElse(Set.of());
        Map<String, String> config = new LinkedHashMap<>();
        for (IniDocument.Entry entry : values.section().entries().values()) {
            String key = entry.key();
            if (key.startsWith(CONFIG_PREFIX)) {
                String userKey = key.substring(CONFIG_PREFIX.length());
                if (CONFIG_KEY.matcher(userKey).matches()) {
                    config.put(userKey, entry.value());
                } else {
                    values.error(key, "config key after 'config.' must be non-empty and match [A-Za-z0-9_.-]+");
                }
            } else if (!KEYS.contains(key) && !optionKeys.contains(key)) {
                values.error(key, "unknown key " + ConfigErrors.quote(key) + "; known keys: "
                        + String.join(", ", KEYS) + ", config.<key>"
                        + builtin.map(schema -> schema.options().isEmpty() ? "" : "; keys of builtin:" + schema.name()
                                + ": " + String.join(", ", new TreeSet<>(schema.options().keySet()))).orElse(""));
            }
        }
        return config;
    }

    /** The builtin's own keys present in the section, each value checked by the builtin's rule. */
    private static Map<String, String> options(SectionValues values, BuiltinSchema builtin) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, BuiltinSchema.Option> option : builtin.options().entrySet()) {
            Optional<String> value = values.value(option.getKey());
            if (value.isEmpty()) {
                continue;
            }
            Optional<String> problem = option.getValue().check().apply(value.get());
            if (problem.isPresent()) {
                values.error(option.getKey(), "builtin:" + builtin.name() + " " + option.getKey() + " "
                        + problem.get());
            } else {
                options.put(option.getKey(), value.get().strip());
            }
        }
        return options;
    }

    /** Files named by the builtin's keys (e.g. a labels file) join the model files: checked, digested, shipped. */
    private List<Artifact> withOptionFiles(SectionValues values, BuiltinSchema builtin, List<Artifact> models,
            RootDirectory zoo) {
        List<Artifact> all = new ArrayList<>(models);
        for (Map.Entry<String, BuiltinSchema.Option> option : builtin.options().entrySet()) {
            Optional<String> value = values.value(option.getKey()).map(String::strip);
            if (!option.getValue().modelFile() || value.isEmpty() || value.get().isEmpty()
                    || all.stream().anyMatch(a -> a.name().equals(value.get()))) {
                continue;
            }
            switch (zoo.resolve(value.get())) {
                case RootDirectory.Rejected rejected -> values.error(option.getKey(), rejected.reason());
                case RootDirectory.Missing missing -> values.error(option.getKey(), "file not found in Model_ZOO: "
                        + missing.path());
                case RootDirectory.Found found when !Files.isRegularFile(found.path()) ->
                        values.error(option.getKey(), "not a regular file: " + found.path());
                case RootDirectory.Found found -> all.addAll(digest(values, option.getKey(), zoo, List.of(found.path())));
            }
        }
        return all;
    }

    private Optional<String> backend(SectionValues values) {
        Optional<String> backend = values.required("backend");
        if (backend.isEmpty()) {
            return backend;
        }
        String text = backend.get();
        if (text.startsWith(BUILTIN)) {
            String builtin = text.substring(BUILTIN.length());
            if (!builtins.containsKey(builtin)) {
                values.error("backend", "unknown builtin " + ConfigErrors.quote(builtin) + "; known builtins: "
                        + (builtins.isEmpty() ? "none" : String.join(", ", new TreeSet<>(builtins.keySet()))));
                return Optional.empty();
            }
            return backend;
        }
        if (text.length() > MAX_NAME_LENGTH || !CLASS_NAME.matcher(text).matches()) {
            values.error("backend", "must be a Java class name like org.example.MyBackend or builtin:<name>, got "
                    + ConfigErrors.quote(text));
            return Optional.empty();
        }
        return backend;
    }

    /**
     * {@code plugin = <Name>} lets any number of sections run one jar or folder with their own models,
     * config and routes; without it the plugin is the section's own name, as before. A bad name is
     * reported and the section's name is used, so the rest of the section is still checked.
     */
    private static String pluginName(SectionValues values, String sectionName) {
        Optional<String> given = values.value("plugin").map(String::strip);
        if (given.isEmpty()) {
            return sectionName;
        }
        if (!PLUGIN_NAME.matcher(given.get()).matches() || given.get().contains("..")) {
            values.error("plugin", "must name a jar (without .jar) or folder directly in algopkg_dir, matching "
                    + "[A-Za-z][A-Za-z0-9_.@-]*, got " + ConfigErrors.quote(given.get()));
            return sectionName;
        }
        return given.get();
    }

    private List<Artifact> pluginJars(SectionValues values, String plugin, String className, RootDirectory algopkg) {
        // Problems finding the plugin belong to the key that named it.
        String key = values.value("plugin").isPresent() ? "plugin" : "backend";
        PluginLocator locator = new PluginLocator(algopkg);
        // Once per plugin and class in a parse: 1,000 sections sharing one jar would open it 1,000 times.
        PluginLocator.Outcome outcome = located.computeIfAbsent(plugin, locator::locate);
        if (outcome instanceof PluginLocator.Problem problem) {
            values.error(key, problem.message());
            return List.of();
        }
        List<Path> jars = ((PluginLocator.Jars) outcome).jars();
        classChecks.computeIfAbsent(plugin + "\n" + className, k -> locator.checkClass(className, jars))
                .forEach(message -> values.error("backend", message));
        return digest(values, key, algopkg, jars);
    }

    private List<Artifact> models(SectionValues values, RootDirectory zoo) {
        String text = values.string("model", "");
        if (text.isEmpty()) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        boolean emptyReported = false;
        for (String part : text.split(",", -1)) {
            String file = part.trim();
            if (file.isEmpty()) {
                if (!emptyReported) {
                    values.error("model", "empty file name in list " + ConfigErrors.quote(text));
                }
                emptyReported = true;
            } else if (!seen.add(file)) {
                values.error("model", ConfigErrors.quote(file) + " is listed twice");
            } else {
                switch (zoo.resolve(file)) {
                    case RootDirectory.Rejected rejected -> values.error("model", rejected.reason());
                    case RootDirectory.Missing missing -> values.error("model", "model file not found: "
                            + missing.path());
                    case RootDirectory.Found found when !Files.isRegularFile(found.path()) ->
                            values.error("model", "not a regular file: " + found.path());
                    case RootDirectory.Found found -> files.add(found.path());
                }
            }
        }
        return digest(values, "model", zoo, files);
    }

    private List<Artifact> digest(SectionValues values, String key, RootDirectory root, List<Path> files) {
        List<Artifact> artifacts = new ArrayList<>();
        for (Path file : files) {
            try {
                artifacts.add(digests.artifact(root.nameOf(file), file));
            } catch (IOException | RuntimeException e) {
                values.error(key, "cannot read " + file + ": " + e.getMessage());
            }
        }
        return artifacts;
    }

    /** Without its leading '/', as DeploymentSpec stores it. */
    private static Optional<String> route(SectionValues values) {
        Optional<String> given = values.required("route");
        if (given.isEmpty()) {
            return given;
        }
        String route = given.get().startsWith("/") ? given.get().substring(1) : given.get();
        String problem = null;
        if (route.length() > MAX_NAME_LENGTH) {
            problem = "must be at most " + MAX_NAME_LENGTH + " characters";
        } else if (!ROUTE.matcher(route).matches()) {
            problem = "must be path segments of [A-Za-z0-9_.~-] separated by '/', optionally ending in '/*' "
                    + "(every path under it)";
        } else if (route.equals("-") || route.startsWith("-/")) {
            problem = "'/-/' is reserved for modelserve's own endpoints";
        } else if (route.equals("v2") || route.startsWith("v2/")) {
            problem = "'/v2/' is reserved for the Open Inference Protocol";
        } else if (route.equals("v1/embeddings") || route.equals("v1/models") || route.startsWith("v1/models/")) {
            problem = "'/v1/embeddings' and '/v1/models' are reserved for OpenAI's embeddings API";
        } else if (List.of(route.split("/")).stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            problem = "'.' and '..' segments are not allowed (HTTP clients rewrite them)";
        }
        if (problem != null) {
            values.error("route", problem + ", got " + ConfigErrors.quote(given.get()));
            return Optional.empty();
        }
        return Optional.of(route);
    }

    /** Upper-case and sorted, e.g. ["GET", "POST"]. */
    private static List<String> methods(SectionValues values) {
        String text = values.string("method", "POST");
        // SPEC §2 writes the pair as "GET,POST", so operators may copy the quotes.
        String unquoted = text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
                ? text.substring(1, text.length() - 1) : text;
        Set<String> methods = new TreeSet<>();
        for (String part : unquoted.split(",", -1)) {
            String method = part.trim().toUpperCase(Locale.ROOT);
            if (!(method.equals("GET") || method.equals("POST")) || !methods.add(method)) {
                values.error("method", "must be GET, POST or GET,POST, got " + ConfigErrors.quote(text));
                return List.of("POST");
            }
        }
        return List.copyOf(methods);
    }
}
