package io.modelserve.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.Request;

/**
 * A request to a multiplexed section as its plugin sees it: the ingress put the model's name in the
 * sub-path (so it crosses nodes and child JVMs as any sub-path does); here it is {@link #model()}.
 */
record ModelRequest(Request request) implements Request {
    @Override
    public JsonNode params() {
        return request.params();
    }

    @Override
    public byte[] body() {
        return request.body();
    }

    @Override
    public String contentType() {
        return request.contentType();
    }

    @Override
    public java.util.Map<String, String> headers() {
        return request.headers();
    }

    @Override
    public String subPath() {
        return "";
    }

    @Override
    public String model() {
        return request.subPath();
    }
}
