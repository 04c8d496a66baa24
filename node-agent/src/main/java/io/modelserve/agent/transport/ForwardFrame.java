package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A request as one node hands it to another: {@code [int params length][params JSON][raw body]},
 * with the original content type (and a wildcard route's sub-path) in headers. Carries the params as decoded on the first node, so
 * the second runs exactly what the first would have run, without decoding the body again.
 */
final class ForwardFrame {
    static final String CONTENT_TYPE = "application/x-modelserve-forward";
    static final String ORIGINAL_TYPE_HEADER = "X-Modelserve-Content-Type";
    /** The rest of the path under a wildcard route ({@link io.modelserve.sdk.Request#subPath()}); absent when empty. */
    static final String SUB_PATH_HEADER = "X-Modelserve-Sub-Path";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PARAMS = 64 * 1024 * 1024;

    private ForwardFrame() {}

    /**
     * The largest frame a body within {@code maxBodyBytes} makes: the length prefix, the body, and its
     * params with the query string (bounded by the header limit). Params are the body decoded: for
     * JSON about its size; for a form up to twice it, as {@code %01} becomes {@code \u0001}.
     */
    static long maxFrameBytes(long maxBodyBytes) {
        return 4 + 3 * maxBodyBytes + io.modelserve.agent.http.Ingress.MAX_HEADER_BYTES;
    }

    static byte[] encode(JsonRequest request) throws IOException {
        byte[] params = JSON.writeValueAsBytes(request.params());
        ByteBuffer frame = ByteBuffer.allocate(4 + params.length + request.body().length);
        frame.putInt(params.length).put(params).put(request.body());
        return frame.array();
    }

    /** The request, or empty if {@code frame} is not a well-formed frame (never throws). */
    static Optional<JsonRequest> decode(byte[] frame, String originalContentType) {
        if (frame.length < 4) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        int length = buffer.getInt();
        if (length < 0 || length > MAX_PARAMS || length > frame.length - 4) {
            return Optional.empty();
        }
        try {
            var params = JSON.readTree(new String(frame, 4, length, StandardCharsets.UTF_8));
            if (params == null || !params.isObject()) {
                return Optional.empty();
            }
            byte[] body = new byte[frame.length - 4 - length];
            System.arraycopy(frame, 4 + length, body, 0, body.length);
            return Optional.of(new JsonRequest((ObjectNode) params, body, originalContentType));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
