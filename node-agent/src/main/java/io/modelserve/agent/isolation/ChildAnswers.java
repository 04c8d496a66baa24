package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Response;
import java.io.IOException;

/**
 * One inference answer across the child JVM's socket, both ways: a JSON value, a plugin's
 * {@link Response} (status, headers in order, raw bytes or JSON), or a failure, whose
 * {@link InvalidRequestException} keeps its 4xx. So an isolated plugin answers as an in-process one.
 */
final class ChildAnswers {
    private ChildAnswers() {}

    /** In the child: what {@code result} (a value, a Response, or a Throwable in a batch) travels as. */
    static ObjectNode encode(Object result) {
        if (result instanceof Throwable t) {
            return failed(t);
        }
        if (!(result instanceof Response response)) {
            return ChildMain.ok(toJson(result));
        }
        ObjectNode answer = ChildMain.ok(response.isJson() ? toJson(response.jsonValue())
                : Frames.JSON.getNodeFactory().binaryNode(response.bytes()));
        ObjectNode shape = answer.putObject("response");
        shape.put("status", response.status()).put("json", response.isJson()).put("contentType", response.contentType());
        ArrayNode headers = shape.putArray("headers");
        response.headers().forEach((name, value) -> headers.addArray().add(name).add(value));
        return answer;
    }

    /** In the child: a failure, with the 4xx of an {@link InvalidRequestException}. */
    static ObjectNode failed(Throwable t) {
        ObjectNode error = ChildMain.error(BackendFailure.describe(t));
        if (t instanceof InvalidRequestException invalid) {
            error.put("invalid", invalid.status()).put("error", invalid.getMessage());
        }
        return error;
    }

    /** In the parent: the result an answer stands for, or the exception it carries (not thrown). */
    static Object decode(JsonNode answer) {
        if (!answer.path("ok").asBoolean()) {
            String message = answer.path("error").asText("the child JVM failed");
            return answer.has("invalid") ? new InvalidRequestException(answer.path("invalid").asInt(400), message)
                    : new IllegalStateException(message);
        }
        JsonNode value = answer.get("value");
        JsonNode shape = answer.get("response");
        if (shape == null) {
            return value;
        }
        try {
            Response response = shape.path("json").asBoolean() ? Response.json(value)
                    : Response.bytes(value == null ? new byte[0] : value.binaryValue(), shape.path("contentType").asText());
            response = response.withStatus(shape.path("status").asInt(200));
            for (JsonNode header : shape.path("headers")) {
                response = response.withHeader(header.path(0).asText(), header.path(1).asText());
            }
            return response;
        } catch (IOException | RuntimeException e) {
            return new IllegalStateException("the child JVM answered a malformed response: " + e.getMessage());
        }
    }

    private static JsonNode toJson(Object result) {
        try {
            return Frames.JSON.valueToTree(result);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the result is not JSON-serialisable: " + e.getMessage(), e);
        }
    }
}
