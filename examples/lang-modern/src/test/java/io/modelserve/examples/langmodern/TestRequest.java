package io.modelserve.examples.langmodern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.sdk.Request;

/** A JSON request as the ingress would hand it over. */
record TestRequest(JsonNode params) implements Request {

    private static final ObjectMapper JSON = new ObjectMapper();

    static TestRequest of(String json) throws Exception {
        return new TestRequest(JSON.readTree(json));
    }

    @Override
    public byte[] body() {
        return new byte[0];
    }

    @Override
    public String contentType() {
        return "application/json";
    }
}
