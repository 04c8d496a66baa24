package io.modelserve.cluster;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Everything this process derives from the cluster secret. The secret itself never leaves the
 * process: what goes on the wire or into a map is an HMAC of it, one per purpose, so knowing one
 * derived value (seen in traffic, which has no TLS) gives neither the secret nor the others.
 * <ul>
 *   <li>{@link #wireName()}: the Hazelcast cluster name, {@code name-HMAC(secret, name)}; a member
 *       whose name differs is refused at the join, before any map operation;</li>
 *   <li>{@link #entrySeal()}: seals and verifies every entry of the shared maps;</li>
 *   <li>{@link #httpToken()}: the header value of node-to-node HTTP ({@code /-/replica}, {@code /-/artifacts}).</li>
 * </ul>
 * Without a secret the wire name is the plain cluster name and entries are sealed with a key derived
 * from that name: it catches a buggy or foreign writer, it protects against nobody (SECURITY.md).
 */
public final class ClusterKeys {
    private static final int WIRE_NAME_HEX = 32; // 128 bits: not guessable, short enough for logs of Hazelcast
    private final String clusterName;
    private final byte[] secret;
    private final String wireName;
    private final String httpToken;
    private final EntrySeal entrySeal;

    private ClusterKeys(String clusterName, String secret) {
        this.clusterName = clusterName;
        this.secret = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        if (isSecured()) {
            wireName = clusterName + "-" + hex(hmac(this.secret, clusterName)).substring(0, WIRE_NAME_HEX);
            httpToken = hex(hmac(this.secret, "modelserve http token v1"));
            entrySeal = new EntrySeal(hmac(this.secret, "modelserve entry key v1"), true);
        } else {
            wireName = clusterName;
            httpToken = "";
            entrySeal = new EntrySeal(hmac(clusterName.getBytes(StandardCharsets.UTF_8), "modelserve entry key v1"), false);
        }
    }

    /** @param secret the cluster secret, empty or null for none */
    public static ClusterKeys of(String clusterName, String secret) {
        return new ClusterKeys(clusterName, secret);
    }

    public boolean isSecured() {
        return secret.length > 0;
    }

    public String clusterName() {
        return clusterName;
    }

    /** The name Hazelcast compares at the join; a capability when secured: never shown by the admin API. */
    public String wireName() {
        return wireName;
    }

    /** Empty without a secret (node-to-node HTTP is then open). */
    public String httpToken() {
        return httpToken;
    }

    public EntrySeal entrySeal() {
        return entrySeal;
    }

    @Override
    public String toString() {
        return "ClusterKeys[" + clusterName + ", " + (isSecured() ? "secured" : "no secret") + "]";
    }

    static byte[] hmac(byte[] key, String message) {
        return hmac(key, message.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty key is legal for HMAC but SecretKeySpec refuses it; a cluster name is never empty.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
