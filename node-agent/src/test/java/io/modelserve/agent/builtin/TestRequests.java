package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Requests as the ingress hands them to a replica. */
final class TestRequests {
    static final ObjectMapper JSON = new ObjectMapper();

    private TestRequests() {}

    static JsonRequest json(String body) {
        try {
            return new JsonRequest((ObjectNode) JSON.readTree(body), body.getBytes(), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonRequest image(byte[] body, String type) {
        return new JsonRequest(JSON.createObjectNode(), body, type);
    }

    static JsonRequest v2Infer(String body) {
        try {
            return new JsonRequest((ObjectNode) JSON.readTree(body), new byte[0], OpenInference.INFER_TYPE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonRequest v2Metadata() {
        return new JsonRequest(JSON.createObjectNode(), new byte[0], OpenInference.METADATA_TYPE);
    }
}
