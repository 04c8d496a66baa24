package io.modelserve.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates the values of the shared maps. A sealed value is {@code ms1.<mac>.<json>}, where the
 * MAC (HMAC-SHA256, base64url) covers the map name, the key and the JSON: an entry cannot be
 * altered, nor moved to another key or map, by anyone without the key. Sealing is deterministic, so
 * conditional writes ({@code replace}, {@code putIfAbsent}) still compare texts.
 *
 * <p>A value that does not verify is absent for every reader, and logged as tampering at WARN once per
 * (map, key, value): a forged entry rewritten in a loop cannot flood the log.
 */
public final class EntrySeal {
    private static final Logger log = LoggerFactory.getLogger(EntrySeal.class);
    private static final String PREFIX = "ms1.";
    private static final int MAX_REMEMBERED = 4096;

    private final byte[] key;
    private final boolean secured;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    EntrySeal(byte[] key, boolean secured) {
        this.key = key.clone();
        this.secured = secured;
    }

    public String seal(String map, String key, String json) {
        return PREFIX + mac(map, key, json) + "." + json;
    }

    /** The JSON inside {@code sealed}, or empty (and logged once) if it was not sealed here for this map and key. */
    public Optional<String> open(String map, String key, String sealed) {
        Optional<String> json = verify(map, key, sealed);
        if (json.isEmpty()) {
            reportTampering(map, key, sealed);
        }
        return json;
    }

    /** Like {@link #open} without logging: for a value already known to be looked at. */
    public Optional<String> verify(String map, String key, String sealed) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = sealed.indexOf('.', PREFIX.length());
        if (dot < 0) {
            return Optional.empty();
        }
        String json = sealed.substring(dot + 1);
        byte[] claimed = sealed.substring(PREFIX.length(), dot).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = mac(map, key, json).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(claimed, expected) ? Optional.of(json) : Optional.empty();
    }

    public boolean isSecured() {
        return secured;
    }

    private String mac(String map, String key, String json) {
        // Length-prefixed fields: ("a", "bc") and ("ab", "c") must not give the same input.
        ByteArrayOutputStream input = new ByteArrayOutputStream(json.length() + 64);
        for (String field : new String[] {map, key, json}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            input.writeBytes(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            input.write(':');
            input.writeBytes(bytes);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ClusterKeys.hmac(this.key, input.toByteArray()));
    }

    private void reportTampering(String map, String key, String sealed) {
        String fingerprint = map + '\u0000' + key + '\u0000' + (sealed == null ? 0 : sealed.hashCode()) + ':'
                + (sealed == null ? 0 : sealed.length());
        if (reported.size() >= MAX_REMEMBERED) {
            reported.clear();
        }
        if (reported.add(fingerprint)) {
            log.warn("tampering: entry {} of {} does not carry a valid seal{}; it is ignored. Someone wrote to the"
                    + " cluster's maps without the cluster's key ({} chars, starts {})", key, map,
                    secured ? "" : " (no cluster secret: seals are integrity checks only)",
                    sealed == null ? 0 : sealed.length(), sealed == null ? "" : printable(sealed));
        }
    }

    private static String printable(String value) {
        String head = value.length() > 40 ? value.substring(0, 40) : value;
        return head.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
