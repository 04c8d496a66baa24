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
        long maxBodyBytes) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    public boolean hasAdminToken() {
        return adminToken != null && !adminToken.isEmpty();
    }

    /** Never prints the token itself. */
    @Override
    public String toString() {
        return "ServeSettings[port=" + port + ", dashboardPort=" + dashboardPort + ", clusterName=" + clusterName
                + ", algopkgDir=" + algopkgDir + ", modelZoo=" + modelZoo + ", logDir=" + logDir
                + ", adminToken=" + (hasAdminToken() ? "<set>" : "<none>") + ", maxBodyBytes=" + maxBodyBytes + "]";
    }
}
