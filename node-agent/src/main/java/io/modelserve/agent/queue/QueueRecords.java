package io.modelserve.agent.queue;

import io.modelserve.cluster.ClusterJson;
import io.modelserve.cluster.EntrySeal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How queued work and results are stored: the one place that (de)serialises them.
 *
 * <p>A request is one byte array, {@code [int header length][header JSON][raw body]}: the body's bytes
 * are stored as they are, never base64 or escaped inside a JSON string (which cost 4/3 of a binary
 * body, or twice a JSON one stored raw and decoded). A result is the JSON text of its state and
 * envelope, which is JSON already.
 *
 * <p>Both are sealed ({@link EntrySeal}) for their map and key. A request's seal covers its header,
 * and the header holds the body's SHA-256, so neither can be altered nor moved to another id.
 */
final class QueueRecords {
    private final EntrySeal seal;

    QueueRecords(EntrySeal seal) {
        this.seal = seal;
    }

    EntrySeal seal() {
        return seal;
    }

    /**
     * Everything of a request but its body. {@code headers} came later: a record without it reads as no
     * headers, and a node without the field ignores it (unknown fields are skipped), so nodes of both
     * kinds read each other's work.
     */
    private record Header(String id, String deployment, Map<String, List<String>> query, String contentType,
            long acceptedAtMillis, String acceptedBy, String bodySha256, Map<String, String> headers) {}

    byte[] encode(String map, QueuedRequest request) {
        String json = ClusterJson.write(new Header(request.id(), request.deployment(), request.query(),
                request.contentType(), request.acceptedAtMillis(), request.acceptedBy(), sha256(request.body()), request.headers()));
        byte[] header = seal.seal(map, request.id(), json).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + header.length + request.body().length).putInt(header.length).put(header)
                .put(request.body()).array();
    }

    /** The request stored under {@code id} in {@code map}, or empty if it is not one, or forged (never throws). */
    Optional<QueuedRequest> decode(String map, String id, Object stored) {
        if (!(stored instanceof byte[] frame) || frame.length < 4) {
            return Optional.empty();
        }
        int length = ByteBuffer.wrap(frame).getInt();
        if (length < 2 || length > frame.length - 4) {
            return Optional.empty();
        }
        try {
            Optional<String> json = seal.open(map, id, new String(frame, 4, length, StandardCharsets.UTF_8));
            if (json.isEmpty()) {
                return Optional.empty();
            }
            Header header = ClusterJson.MAPPER.readValue(json.get(), Header.class);
            if (header == null || !id.equals(header.id()) || header.deployment() == null) {
                return Optional.empty();
            }
            byte[] body = Arrays.copyOfRange(frame, 4 + length, frame.length);
            if (!sha256(body).equals(header.bodySha256())) {
                return Optional.empty(); // a sealed header over another body
            }
            return Optional.of(new QueuedRequest(header.id(), header.deployment(), header.query(), header.contentType(),
                    header.acceptedAtMillis(), header.acceptedBy(), header.headers(), body));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    static String encode(QueuedResult result) {
        return ClusterJson.write(result);
    }

    static Optional<QueuedResult> decodeResult(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClusterJson.read(json, QueuedResult.class));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
