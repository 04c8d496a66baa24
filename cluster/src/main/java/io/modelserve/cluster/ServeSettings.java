package io.modelserve.cluster;

/**
 * The {@code [MODEL SERVE]} section: cluster-wide settings. Paths are absolute, resolved against the
 * directory of conf.ini. In the cluster's applied entry {@code adminToken} is the token's salted hash
 * (see the controller's {@code AdminTokenHash}), never the token itself.
 *
 * @param stateDir where a head keeps its own record of the applied config (head-local, default
 *                 {@code state/} beside conf.ini)
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
        String stateDir) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    /** Settings without a cluster secret: node-to-node HTTP is then unauthenticated (see SECURITY.md). */
    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "");
    }

    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes, String clusterSecret) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, clusterSecret, "");
    }

    /** The same settings with {@code adminToken} replaced (by its hash, before they enter the cluster). */
    public ServeSettings withAdminToken(String token) {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, token, maxBodyBytes,
                clusterSecret, stateDir);
    }

    public ServeSettings {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
        stateDir = stateDir == null ? "" : stateDir;
    }

    /** What goes into the applied-config entry: the cluster secret never leaves the process. */
    public ServeSettings withoutClusterSecret() {
        return new ServeSettings(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "", stateDir);
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
                + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + ", stateDir=" + stateDir + "]";
    }
}
