package io.modelserve.agent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.sdk.Request;

/**
 * A request as decoded by the ingress (or built by a deployment handle).
 *
 * @param subPath the rest of the path under a wildcard route ({@link Request#subPath()}); "" otherwise
 */
public record JsonRequest(ObjectNode params, byte[] body, String contentType, String subPath) implements Request {
    private static final byte[] EMPTY = new byte[0];

    public JsonRequest {
        body = body == null ? EMPTY : body;
        contentType = contentType == null ? "" : contentType;
        subPath = subPath == null ? "" : subPath;
    }

    public JsonRequest(ObjectNode params, byte[] body, String contentType) {
        this(params, body, contentType, "");
    }

    /** This request under a wildcard route, with the rest of its path. */
    public JsonRequest withSubPath(String rest) {
        return new JsonRequest(params, body, contentType, rest);
    }
}
