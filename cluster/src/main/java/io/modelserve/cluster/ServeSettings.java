package io.modelserve.cluster;

/**
 * The {@code [MODEL SERVE]} section: cluster-wide settings. Paths are absolute, resolved against the
 * directory of conf.ini. In the cluster's applied entry {@code adminToken} is the token's salted hash
 * (see the controller's {@code AdminTokenHash}), never the token itself.
 *
 * @param stateDir where a head keeps its own record of the applied config (head-local, default
 *                 {@code state/} beside conf.ini)
 * @param grpcPort  the Open Inference Protocol's gRPC port on every node; 0: no gRPC
 * @param telemetry the access log and the latency buckets (absent in older state: the defaults)
 */
public record ServeSettings(
        int port,
        int dashboardPort,
        String clusterName,
        String algopkgDir,
        String modelZoo,
        String logDir,
        String adminToken,
        long maxBodyBytes,
        String clusterSecret,
        String stateDir,
        MemoryLimits memory,
        int grpcPort,
        Telemetry telemetry) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    /**
     * What a node may hold for clients (SECURITY.md, memory).
     *
     * @param maxInflightBytes      request body bytes one node holds at once; 0: a quarter of its heap
     * @param queueMaxBytes         payload and result bytes the async queue stores, cluster-wide
     * @param queueResultTtlSeconds how long queued work and its result are kept
     */
    public record MemoryLimits(long maxInflightBytes, long queueMaxBytes, long queueResultTtlSeconds) {
        public static final long DEFAULT_QUEUE_MAX_BYTES = 64L * 1024 * 1024;
        public static final long DEFAULT_QUEUE_RESULT_TTL_SECONDS = 3_600;
        public static final MemoryLimits DEFAULTS = new MemoryLimits(0, DEFAULT_QUEUE_MAX_BYTES,
                DEFAULT_QUEUE_RESULT_TTL_SECONDS);

        /** This node's in-flight budget: the configured bytes, or a quarter of {@code maxHeapBytes}. */
        public long inflightBytes(long maxHeapBytes) {
            return maxInflightBytes > 0 ? maxInflightBytes : maxHeapBytes / 4;
        }
    }

    /**
     * What operators read off a node besides its answers.
     *
     * @param accessLog          {@code access_log} of {@code [MODEL SERVE]}: one JSON line per client request
     * @param accessLogOverrides a section's own {@code access_log}, by deployment name ({@code Main} or {@code Main@label})
     * @param latencyBucketsMs   {@code latency_buckets_ms}: the upper bounds of every latency histogram, ascending
     */
    public record Telemetry(boolean accessLog, java.util.Map<String, Boolean> accessLogOverrides,
            java.util.List<Double> latencyBucketsMs) {
        /** 12 from 1 ms to 5 s, where a serving SLO is read. */
        public static final java.util.List<Double> DEFAULT_BUCKETS_MS = java.util.List.of(1.0, 2.5, 5.0, 10.0, 25.0, 50.0,
                100.0, 250.0, 500.0, 1_000.0, 2_500.0, 5_000.0);
        public static final Telemetry DEFAULTS = new Telemetry(false, java.util.Map.of(), DEFAULT_BUCKETS_MS);

        public Telemetry {
            accessLogOverrides = accessLogOverrides == null ? java.util.Map.of() : java.util.Map.copyOf(accessLogOverrides);
            latencyBucketsMs = latencyBucketsMs == null || latencyBucketsMs.isEmpty() ? DEFAULT_BUCKETS_MS
                    : java.util.List.copyOf(latencyBucketsMs);
        }

        /**
         * Whether requests to {@code deployment} are logged: its own section's {@code access_log}, else
         * its main deployment's (a canary {@code Main@label}), else {@code [MODEL SERVE]}'s.
         */
        public boolean logs(String deployment) {
            Boolean own = accessLogOverrides.get(deployment);
            if (own != null) {
                return own;
            }
            int mark = deployment.indexOf(DeploymentSpec.CANARY_MARK);
            Boolean main = mark < 0 ? null : accessLogOverrides.get(deployment.substring(0, mark));
            return main != null ? main : accessLog;
        }

        public Telemetry withOverrides(java.util.Map<String, Boolean> overrides) {
            return new Telemetry(accessLog, overrides, latencyBucketsMs);
        }
    }

    /** Settings without a cluster secret: node-to-node HTTP is then unauthenticated (see SECURITY.md). */
    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "");
    }

    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret, "",
                MemoryLimits.DEFAULTS);
    }

    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret, String stateDir,
            MemoryLimits memory) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret,
                stateDir, memory, 0);
    }

    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret, String stateDir,
            MemoryLimits memory, int grpcPort) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret,
                stateDir, memory, grpcPort, Telemetry.DEFAULTS);
    }

    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret, String stateDir) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret,
                stateDir, MemoryLimits.DEFAULTS);
    }

    /** The same settings with {@code adminToken} replaced (by its hash, before they enter the cluster). */
    public ServeSettings withAdminToken(String token) {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, token, maxBodyBytes,
                clusterSecret, stateDir, memory, grpcPort, telemetry);
    }

    /** The same settings with {@code telemetry} replaced. */
    public ServeSettings withTelemetry(Telemetry next) {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes,
                clusterSecret, stateDir, memory, grpcPort, next);
    }

    public ServeSettings {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
        stateDir = stateDir == null ? "" : stateDir;
        // Settings written by a node that predates the limits read back without them.
        memory = memory == null ? MemoryLimits.DEFAULTS : memory;
        telemetry = telemetry == null ? Telemetry.DEFAULTS : telemetry;
    }

    /** What goes into the applied-config entry: the cluster secret never leaves the process. */
    public ServeSettings withoutClusterSecret() {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "", stateDir,
                memory, grpcPort, telemetry);
    }

    public boolean hasAdminToken() {
        return adminToken != null && !adminToken.isEmpty();
    }

    /** Never prints the token or the secret itself. */
    @Override
    public String toString() {
        return "ServeSettings[port=" + port + ", dashboardPort=" + dashboardPort + ", clusterName=" + clusterName
                + ", algopkgDir=" + algopkgDir + ", modelZoo=" + modelZoo + ", logDir=" + logDir
                + ", adminToken=" + (hasAdminToken() ? "<set>" : "<none>") + ", maxBodyBytes=" + maxBodyBytes
                + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + ", stateDir=" + stateDir
                + ", memory=" + memory + ", grpcPort=" + grpcPort + ", telemetry=" + telemetry + "]";
    }
}
