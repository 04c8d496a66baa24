package io.modelserve.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the plugin's route would answer over HTTP: the status code and the JSON envelope,
 * {@code {"status":1,"result":...,"info":"..."}} or {@code {"status":0,"error":"..."}}.
 *
 * @param httpStatus 200, or the error status (400 malformed request, 500 the plugin threw or its
 *                   result is not JSON-serialisable)
 * @param body       the response body, byte for byte as the ingress writes it
 */
public record RouteAnswer(int httpStatus, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @return the body as a JSON tree */
    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("the route's body is not JSON: " + body, e);
        }
    }

    /** @return whether it is a 200 */
    public boolean ok() {
        return httpStatus == 200;
    }

    /** @return the {@code result} field; a missing node when the call failed */
    public JsonNode result() {
        return json().path("result");
    }

    /** @return the {@code error} field, or null when the call succeeded */
    public String error() {
        JsonNode error = json().get("error");
        return error == null ? null : error.asText();
    }

    @Override
    public String toString() {
        return httpStatus + " " + body;
    }
}
