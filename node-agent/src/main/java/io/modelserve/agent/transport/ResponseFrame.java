package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.cluster.PooledJson;
import io.modelserve.sdk.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A plugin's {@link Response} as a replica's node hands it back to the node that forwarded the
 * request: {@code [int meta length][meta JSON][body]}, where meta holds the status, the headers in
 * order with their case, the content type, whether the body is JSON, and the replica's info. The
 * hop itself answers 200, so no status of the plugin's is mistaken for the hop's; the first node
 * answers its client exactly as a local replica's response would have been answered.
 */
final class ResponseFrame {
    static final String CONTENT_TYPE = "application/x-modelserve-response";
    private static final ObjectMapper JSON = PooledJson.mapper();

    private ResponseFrame() {}

    /** @throws IOException when a JSON value is not serialisable */
    static byte[] encode(Response response, String info) throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("status", response.status());
        meta.put("json", response.isJson());
        meta.put("contentType", response.contentType());
        meta.put("info", info);
        ArrayNode headers = meta.putArray("headers");
        response.headers().forEach((name, value) -> headers.addArray().add(name).add(value));
        byte[] head = JSON.writeValueAsBytes(meta);
        byte[] body = response.isJson() ? JSON.writeValueAsBytes(response.jsonValue()) : response.bytes();
        return ByteBuffer.allocate(4 + head.length + body.length).putInt(head.length).put(head).put(body).array();
    }

    /** The response, or empty if {@code frame} is not a well-formed one (never throws). */
    static Optional<Delivery.Shaped> decode(byte[] frame) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            int length = buffer.getInt();
            if (length < 0 || length > frame.length - 4) {
                return Optional.empty();
            }
            JsonNode meta = JSON.readTree(frame, 4, length);
            int bodyStart = 4 + length;
            byte[] body = java.util.Arrays.copyOfRange(frame, bodyStart, frame.length);
            Response response = meta.path("json").asBoolean()
                    ? Response.json(JSON.readTree(body))
                    : Response.bytes(body, meta.path("contentType").asText());
            response = response.withStatus(meta.path("status").asInt(200));
            for (JsonNode header : meta.path("headers")) {
                response = response.withHeader(header.path(0).asText(), header.path(1).asText());
            }
            return Optional.of(new Delivery.Shaped(response, meta.path("info").asText("")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
