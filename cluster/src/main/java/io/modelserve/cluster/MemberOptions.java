package io.modelserve.cluster;

import java.util.List;

/**
 * How this process joins the cluster.
 *
 * @param clusterName  Hazelcast cluster name; members with another name are refused
 * @param bindAddress  the one interface every listener of the node uses (so several nodes share a
 *                     machine on 127.0.0.x with the same ports)
 * @param port         Hazelcast port, 5701 by default
 * @param members      addresses ("host" or "host:port") of members to join; empty for the first head
 * @param headEligible whether this member may run the controller
 * @param heartbeatTimeoutSeconds how long a silent member lives before it is declared dead
 * @param clusterSecret the cluster secret, empty for none; it only ever leaves the process as HMACs
 *                      of it ({@link ClusterKeys})
 */
public record MemberOptions(String clusterName, String bindAddress, int port, List<String> members,
        boolean headEligible, int heartbeatTimeoutSeconds, String clusterSecret) {
    public static final int DEFAULT_PORT = 5701;

    public MemberOptions {
        members = List.copyOf(members);
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
    }

    /** Without a cluster secret: anyone who reaches the cluster port and knows the name can join. */
    public MemberOptions(String clusterName, String bindAddress, int port, List<String> members, boolean headEligible,
            int heartbeatTimeoutSeconds) {
        this(clusterName, bindAddress, port, members, headEligible, heartbeatTimeoutSeconds, "");
    }

    public ClusterKeys keys() {
        return ClusterKeys.of(clusterName, clusterSecret);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "MemberOptions[clusterName=" + clusterName + ", bindAddress=" + bindAddress + ", port=" + port
                + ", members=" + members + ", headEligible=" + headEligible + ", heartbeatTimeoutSeconds="
                + heartbeatTimeoutSeconds + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + "]";
    }
}
