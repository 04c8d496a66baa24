package io.modelserve.cluster;

/**
 * The {@code [MODEL SERVE]} section: cluster-wide settings. Paths are absolute, resolved against the
 * directory of conf.ini.
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
        String clusterSecret) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    /** Settings without a cluster secret: node-to-node HTTP is then unauthenticated (see SECURITY.md). */
    public ServeSettings(int port, int dashboardPort, String clusterName, String algopkgDir, String modelZoo,
            String logDir, String adminToken, long maxBodyBytes) {
        this(port, dashboardPort, clusterName, algopkgDir, modelZoo, logDir, adminToken, maxBodyBytes, "");
    }

    public ServeSettings {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
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
                + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + "]";
    }
}
