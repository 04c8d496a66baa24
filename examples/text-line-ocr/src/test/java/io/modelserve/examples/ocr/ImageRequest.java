package io.modelserve.examples.ocr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.sdk.Request;

/** An image body as the ingress hands it over: no params. */
record ImageRequest(byte[] body, String contentType) implements Request {
    @Override
    public JsonNode params() {
        return JsonNodeFactory.instance.objectNode();
    }
}
