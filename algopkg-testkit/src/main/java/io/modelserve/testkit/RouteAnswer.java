package io.modelserve.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the plugin's route would answer over HTTP: the status code, the headers the plugin set, and
 * the body: the JSON envelope {@code {"status":1,"result":...,"info":"..."}} or
 * {@code {"status":0,"error":"..."}}, or the raw bytes of a {@link io.modelserve.sdk.Response#bytes}.
 *
 * @param httpStatus  200, the status of the plugin's {@link io.modelserve.sdk.Response}, or the error
 *                    status (400 malformed request or the plugin's {@link io.modelserve.sdk.InvalidRequestException},
 *                    500 the plugin threw or its result is not JSON-serialisable)
 * @param body        the response body as text (UTF-8), as the ingress writes it
 * @param contentType the response's content type, {@code application/json} unless the plugin answered bytes
 * @param headers     the headers the plugin's {@link io.modelserve.sdk.Response} added; empty otherwise
 * @param bytes       the response body, byte for byte
 */
public record RouteAnswer(int httpStatus, String body, String contentType, Map<String, String> headers, byte[] bytes) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";

    public RouteAnswer {
        headers = Map.copyOf(headers);
        bytes = bytes.clone();
    }

    /** A JSON answer without headers of the plugin's own. */
    public RouteAnswer(int httpStatus, String body) {
        this(httpStatus, body, JSON_TYPE, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the body as a JSON tree */
    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("the route's body is not JSON: " + body, e);
        }
    }

    /** @return whether the body is JSON (rather than the raw bytes of a plugin's Response) */
    public boolean isJson() {
        return contentType.startsWith(JSON_TYPE);
    }

    /** @return whether it is a 2xx */
    public boolean ok() {
        return httpStatus >= 200 && httpStatus < 300;
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

    /** Equal when status, headers and bytes are (a record compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof RouteAnswer that && httpStatus == that.httpStatus && contentType.equals(that.contentType)
                && headers.equals(that.headers) && java.util.Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(httpStatus, contentType, headers, java.util.Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return httpStatus + " " + (isJson() ? body : bytes.length + " bytes of " + contentType);
    }
}
