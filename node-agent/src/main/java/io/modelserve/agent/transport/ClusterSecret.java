package io.modelserve.agent.transport;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The secret every node of a cluster shares, carried in {@link #HEADER} on node-to-node HTTP
 * (forwarded requests, artifact downloads). Empty means the operator chose no secret: those
 * endpoints are then open to anyone who can reach the request port (see SECURITY.md).
 */
public final class ClusterSecret {
    public static final String HEADER = "X-Modelserve-Cluster-Secret";

    private final byte[] secret;

    public ClusterSecret(String secret) {
        this.secret = (secret == null ? "" : secret).getBytes(StandardCharsets.UTF_8);
    }

    public boolean isSet() {
        return secret.length > 0;
    }

    /** Whether a caller presenting {@code presented} (null when absent) may use node-to-node endpoints. */
    public boolean admits(String presented) {
        if (!isSet()) {
            return true;
        }
        // Constant time: how long a wrong guess takes says nothing about how much of it was right.
        return presented != null && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }

    public HttpRequest.Builder sign(HttpRequest.Builder request) {
        return isSet() ? request.header(HEADER, new String(secret, StandardCharsets.UTF_8)) : request;
    }

    @Override
    public String toString() {
        return isSet() ? "ClusterSecret[<set>]" : "ClusterSecret[<none>]";
    }
}
