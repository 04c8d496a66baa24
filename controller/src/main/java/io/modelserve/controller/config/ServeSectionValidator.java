package io.modelserve.controller.config;

import io.modelserve.cluster.ServeSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Validates {@code [MODEL SERVE]} into {@link ServeSettings} and the two directories deployments live in. */
final class ServeSectionValidator {
    static final String SECTION = "MODEL SERVE";
    static final List<String> KEYS = List.of("port", "dashboard_port", "cluster_name", "algopkg_dir",
            "model_zoo", "log_dir", "admin_token", "max_body_bytes", "cluster_secret", "state_dir", "max_inflight_bytes",
            "queue_max_bytes", "queue_result_ttl_s", "grpc_port", "access_log", "latency_buckets_ms", "python");

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * @param algopkg  empty when algopkg_dir is not a usable directory (already reported)
     * @param modelZoo empty when model_zoo is not a usable directory (already reported)
     */
    record Result(ServeSettings settings, Optional<RootDirectory> algopkg, Optional<RootDirectory> modelZoo) {}

    private final Path baseDir;
    private final Function<String, String> env;

    /** @param baseDir the directory of conf.ini, which relative paths are resolved against */
    ServeSectionValidator(Path baseDir, Function<String, String> env) {
        this.baseDir = baseDir;
        this.env = env;
    }

    Result validate(IniDocument.Section section, ConfigErrors errors) {
        SectionValues values = new SectionValues(section, errors);
        for (IniDocument.Entry entry : section.entries().values()) {
            if (!KEYS.contains(entry.key())) {
                values.error(entry.key(), "unknown key " + ConfigErrors.quote(entry.key()) + "; known keys: "
                        + String.join(", ", KEYS));
            }
        }
        int port = values.wholeNumber("port", 8000, 1, 65535);
        int dashboardPort = values.wholeNumber("dashboard_port", 8265, 1, 65535);
        if (port == dashboardPort) {
            values.error("dashboard_port", "must differ from port (both are " + port + ")");
        }
        int grpcPort = values.wholeNumber("grpc_port", 0, 0, 65535);
        if (grpcPort != 0 && (grpcPort == port || grpcPort == dashboardPort)) {
            values.error("grpc_port", "must differ from port (" + port + ") and dashboard_port (" + dashboardPort
                    + "), got " + grpcPort);
        }
        String clusterName = values.string("cluster_name", "modelserve");
        if (!CLUSTER_NAME.matcher(clusterName).matches()) {
            values.error("cluster_name", "must match [A-Za-z0-9_-]+, got " + ConfigErrors.quote(clusterName));
        }
        Optional<Path> algopkgDir = path(values, "algopkg_dir", "algopkg");
        Optional<Path> modelZooDir = path(values, "model_zoo", "Model_ZOO");
        Optional<Path> logDir = path(values, "log_dir", "logs");
        Optional<Path> stateDir = path(values, "state_dir", "state").filter(dir -> usableStateDir(values, dir));
        Optional<RootDirectory> algopkg = algopkgDir.flatMap(dir -> directory(values, "algopkg_dir", dir));
        Optional<RootDirectory> modelZoo = modelZooDir.flatMap(dir -> directory(values, "model_zoo", dir));
        String adminToken = secret(values, "admin_token");
        String clusterSecret = clusterSecret(values);
        long maxBodyBytes = values.wholeNumber("max_body_bytes", ServeSettings.DEFAULT_MAX_BODY_BYTES, 1024,
                Long.MAX_VALUE);
        ServeSettings.MemoryLimits memory = memoryLimits(values, maxBodyBytes);
        ServeSettings settings = new ServeSettings(port, dashboardPort, clusterName,
                algopkgDir.map(Path::toString).orElse(""), modelZooDir.map(Path::toString).orElse(""),
                logDir.map(Path::toString).orElse(""), adminToken, maxBodyBytes, clusterSecret,
                stateDir.map(Path::toString).orElse(""), memory, grpcPort,
                new ServeSettings.Telemetry(values.bool("access_log", false), Map.of(), latencyBuckets(values)));
        return new Result(settings, algopkg, modelZoo);
    }

    /**
     * {@code latency_buckets_ms = 1, 2.5, 5, ...}: positive and strictly ascending, each a bucket's
     * upper bound in milliseconds (a histogram with buckets out of order is not one Prometheus reads).
     */
    private static List<Double> latencyBuckets(SectionValues values) {
        Optional<String> text = values.value("latency_buckets_ms");
        if (text.isEmpty()) {
            return ServeSettings.Telemetry.DEFAULT_BUCKETS_MS;
        }
        List<Double> buckets = new java.util.ArrayList<>();
        for (String part : text.get().split(",", -1)) {
            String bound = part.strip();
            double ms;
            try {
                ms = bound.matches("\\d{1,9}(\\.\\d{1,6})?|\\.\\d{1,6}") ? Double.parseDouble(bound) : -1;
            } catch (NumberFormatException e) {
                ms = -1;
            }
            if (ms <= 0) {
                values.error("latency_buckets_ms", "must be positive numbers of milliseconds separated by commas"
                        + " (e.g. 1, 2.5, 5, 10), got " + ConfigErrors.quote(bound));
                return ServeSettings.Telemetry.DEFAULT_BUCKETS_MS;
            }
            if (!buckets.isEmpty() && ms <= buckets.get(buckets.size() - 1)) {
                values.error("latency_buckets_ms", "must be strictly ascending: " + bound + " follows "
                        + buckets.get(buckets.size() - 1));
                return ServeSettings.Telemetry.DEFAULT_BUCKETS_MS;
            }
            buckets.add(ms);
        }
        if (buckets.size() > MAX_BUCKETS) {
            // Every bucket is a series per replica and status: a long list multiplies what each scrape carries.
            values.error("latency_buckets_ms", "at most " + MAX_BUCKETS + " buckets, got " + buckets.size());
            return ServeSettings.Telemetry.DEFAULT_BUCKETS_MS;
        }
        return List.copyOf(buckets);
    }

    private static final int MAX_BUCKETS = 40;

    /** A limit below one body would refuse every body of the largest size it allows. */
    private static ServeSettings.MemoryLimits memoryLimits(SectionValues values, long maxBodyBytes) {
        long inflight = values.wholeNumber("max_inflight_bytes", 0L, 0, Long.MAX_VALUE);
        if (inflight > 0 && inflight < maxBodyBytes) {
            values.error("max_inflight_bytes", "must be at least max_body_bytes (" + maxBodyBytes
                    + "), or 0 for a quarter of each node's heap; got " + inflight);
        }
        long queueMax = values.wholeNumber("queue_max_bytes", ServeSettings.MemoryLimits.DEFAULT_QUEUE_MAX_BYTES, 1024,
                Long.MAX_VALUE);
        if (queueMax < maxBodyBytes) {
            values.error("queue_max_bytes", "must be at least max_body_bytes (" + maxBodyBytes + "); got " + queueMax);
        }
        long ttl = values.wholeNumber("queue_result_ttl_s", ServeSettings.MemoryLimits.DEFAULT_QUEUE_RESULT_TTL_SECONDS, 1,
                30L * 24 * 3_600);
        return new ServeSettings.MemoryLimits(inflight, queueMax, ttl);
    }

    private Optional<Path> path(SectionValues values, String key, String fallback) {
        String text = values.string(key, fallback);
        if (text.isEmpty()) {
            values.error(key, "must not be empty; the default is " + fallback);
            return Optional.empty();
        }
        try {
            return Optional.of(baseDir.resolve(text).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            values.error(key, "not a valid path: " + ConfigErrors.quote(text));
            return Optional.empty();
        }
    }

    /** The head creates it on first use; only something that is there and is not a directory is wrong. */
    private static boolean usableStateDir(SectionValues values, Path dir) {
        if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            values.error("state_dir", "not a directory: " + dir);
            return false;
        }
        return true;
    }

    private static Optional<RootDirectory> directory(SectionValues values, String key, Path dir) {
        Optional<RootDirectory> root = RootDirectory.open(dir, dir.getFileName() == null ? dir.toString()
                : dir.getFileName().toString());
        if (root.isEmpty()) {
            values.error(key, "directory does not exist: " + dir);
        }
        return root;
    }

    /**
     * Only {@code ${VAR}}: conf.ini text is readable through the open {@code GET /api/config}, and a
     * literal secret there would hand it to anyone on the admin port.
     */
    private String clusterSecret(SectionValues values) {
        String text = values.string("cluster_secret", "");
        if (!text.isEmpty() && !ENV_REFERENCE.matcher(text).matches()) {
            values.error("cluster_secret", "must be exactly ${ENV_VAR}, never the secret itself: conf.ini is"
                    + " shown by the admin API; set the variable on every node");
            return "";
        }
        return secret(values, "cluster_secret");
    }

    /** Literal, or {@code ${VAR}} from the environment. Messages never carry the token itself. */
    private String secret(SectionValues values, String key) {
        String text = values.string(key, "");
        if (!text.contains("${")) {
            return text;
        }
        Matcher reference = ENV_REFERENCE.matcher(text);
        if (!reference.matches()) {
            values.error(key, "must be a literal token or exactly ${ENV_VAR} (a variable name of"
                    + " letters, digits and '_')");
            return "";
        }
        String variable = reference.group(1);
        String token;
        try {
            token = env.apply(variable);
        } catch (RuntimeException e) {
            token = null;
        }
        if (token == null) {
            values.error(key, "environment variable " + variable + " is not set");
            return "";
        }
        if (token.isBlank()) {
            // An empty token would silently switch authentication off; make the operator say so.
            values.error(key, "environment variable " + variable + " is empty; leave " + key
                    + " empty to run without one");
            return "";
        }
        return token;
    }
}
