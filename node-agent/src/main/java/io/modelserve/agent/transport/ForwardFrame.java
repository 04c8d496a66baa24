package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A request as one node hands it to another:
 * {@code [int -2][int params length][params JSON][int headers length][headers JSON][raw body]}, with the
 * original content type (and a wildcard route's sub-path) in HTTP headers of the forward. Carries the
 * params as decoded on the first node, so the second runs exactly what the first would have run, without
 * decoding the body again; and the client's headers as the first node selected them for plugins
 * ({@link io.modelserve.agent.http.PluginHeaders}), a JSON object of strings, so a replica there sees the
 * headers a local one would. They travel in the frame, not as HTTP headers of the forward, which has
 * its own (its content type, the deadline, the cluster secret).
 *
 * <p>The first int is the format: negative, so a node of the first format (which began with the params'
 * length and had no headers) refuses a frame of this one as malformed instead of misreading the headers
 * as part of the body, and this one refuses that format the same way.
 */
final class ForwardFrame {
    static final String CONTENT_TYPE = "application/x-modelserve-forward";
    static final String ORIGINAL_TYPE_HEADER = "X-Modelserve-Content-Type";
    /** The rest of the path under a wildcard route ({@link io.modelserve.sdk.Request#subPath()}); absent when empty. */
    static final String SUB_PATH_HEADER = "X-Modelserve-Sub-Path";
    private static final int FORMAT = -2;
    private static final ObjectMapper JSON = PooledJson.mapper();
    private static final int MAX_PARAMS = 64 * 1024 * 1024;
    /**
     * The client's headers are within the ingress's header limit; as JSON each character takes at most
     * six bytes ({@code \u0009}), plus quotes and separators.
     */
    static final int MAX_HEADERS = 8 * io.modelserve.agent.http.Ingress.MAX_HEADER_BYTES;

    private ForwardFrame() {}

    /**
     * The largest frame a body within {@code maxBodyBytes} makes: the three ints, the body, its params
     * with the query string (bounded by the header limit), and the headers. Params are the body decoded:
     * for JSON about its size; for a form up to twice it, as {@code %01} becomes {@code \u0001}.
     */
    static long maxFrameBytes(long maxBodyBytes) {
        return 12 + 3 * maxBodyBytes + io.modelserve.agent.http.Ingress.MAX_HEADER_BYTES + MAX_HEADERS;
    }

    /** @throws IOException when the params cannot be written, or the headers are over {@link #MAX_HEADERS} */
    static byte[] encode(JsonRequest request) throws IOException {
        byte[] params = JSON.writeValueAsBytes(request.params());
        byte[] headers = JSON.writeValueAsBytes(request.headers());
        if (headers.length > MAX_HEADERS) {
            throw new IOException("its headers take " + headers.length + " bytes, over " + MAX_HEADERS);
        }
        ByteBuffer frame = ByteBuffer.allocate(12 + params.length + headers.length + request.body().length);
        frame.putInt(FORMAT).putInt(params.length).put(params).putInt(headers.length).put(headers).put(request.body());
        return frame.array();
    }

    /** The request, or empty if {@code frame} is not a well-formed frame (never throws). */
    static Optional<JsonRequest> decode(byte[] frame, String originalContentType) {
        if (frame.length < 12) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        if (buffer.getInt() != FORMAT) {
            return Optional.empty();
        }
        int paramsLength = buffer.getInt();
        // The headers' length prefix must fit after the params.
        if (paramsLength < 0 || paramsLength > MAX_PARAMS || paramsLength > frame.length - 12) {
            return Optional.empty();
        }
        int headersAt = 8 + paramsLength;
        int headersLength = ByteBuffer.wrap(frame, headersAt, 4).getInt();
        if (headersLength < 0 || headersLength > MAX_HEADERS || headersLength > frame.length - headersAt - 4) {
            return Optional.empty();
        }
        try {
            // Parsed in place: no copy into a String first (the frame is our own encoder's UTF-8).
            JsonNode params = JSON.readTree(frame, 8, paramsLength);
            if (params == null || !params.isObject()) {
                return Optional.empty();
            }
            Optional<Map<String, String>> headers = headers(JSON.readTree(frame, headersAt + 4, headersLength));
            if (headers.isEmpty()) {
                return Optional.empty();
            }
            int bodyAt = headersAt + 4 + headersLength;
            byte[] body = new byte[frame.length - bodyAt];
            System.arraycopy(frame, bodyAt, body, 0, body.length);
            return Optional.of(new JsonRequest((ObjectNode) params, body, originalContentType, "", headers.get()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A JSON object of strings, or empty: a header is a name and a text, nothing else. */
    private static Optional<Map<String, String>> headers(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                return Optional.empty();
            }
            headers.put(field.getKey(), field.getValue().asText());
        }
        return Optional.of(headers);
    }
}
