package io.modelserve.agent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.sdk.Request;

/** A request as decoded by the ingress (or built by a deployment handle). */
public record JsonRequest(ObjectNode params, byte[] body, String contentType) implements Request {
    private static final byte[] EMPTY = new byte[0];

    public JsonRequest {
        body = body == null ? EMPTY : body;
        contentType = contentType == null ? "" : contentType;
    }
}
