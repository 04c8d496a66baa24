package io.modelserve.cluster;

/**
 * The {@code [MODEL SERVE]} section: cluster-wide settings. Paths are absolute, resolved against the
 * directory of conf.ini. In the cluster's applied entry {@code adminToken} is the token's salted hash
 * (see the controller's {@code AdminTokenHash}), never the token itself.
 *
 * @param stateDir where a head keeps its own record of the applied config (head-local, default
 *                 {@code state/} beside conf.ini)
 * @param grpcPort the Open Inference Protocol's gRPC port on every node; 0: no gRPC
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
        int grpcPort) {

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
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret, String stateDir) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret,
                stateDir, MemoryLimits.DEFAULTS);
    }

    /** The same settings with {@code adminToken} replaced (by its hash, before they enter the cluster). */
    public ServeSettings withAdminToken(String token) {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, token, maxBodyBytes,
                clusterSecret, stateDir, memory, grpcPort);
    }

    public ServeSettings {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
        stateDir = stateDir == null ? "" : stateDir;
        // Settings written by a node that predates the limits read back without them.
        memory = memory == null ? MemoryLimits.DEFAULTS : memory;
    }

    /** What goes into the applied-config entry: the cluster secret never leaves the process. */
    public ServeSettings withoutClusterSecret() {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "", stateDir,
                memory, grpcPort);
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
                + ", memory=" + memory + ", grpcPort=" + grpcPort + "]";
    }
}
