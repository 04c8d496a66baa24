package io.modelserve.agent.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns an HTTP body, its content type and the query parameters into the {@link JsonRequest} a
 * plugin sees, or a message for a 400. Pure: no I/O, no exceptions for any input.
 *
 * <p>JSON bodies are recognised by content type, and also under {@code x-www-form-urlencoded} and
 * {@code text/plain} when the body starts with '{': that is what {@code curl -d '{...}'} sends.
 */
public final class RequestDecoder {
    private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // `{"a":1}}` or two objects back to back are malformed, not the first object alone.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestDecoder() {}

    /** A decoded request, or why it could not be decoded. */
    public sealed interface Decoded permits Ok, Malformed {}

    public record Ok(JsonRequest request) implements Decoded {}

    public record Malformed(String message) implements Decoded {}

    public static Decoded decode(byte[] body, String contentType, Map<String, List<String>> query) {
        String type = contentType == null ? "" : contentType.toLowerCase().split(";", 2)[0].trim();
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (isJsonCandidate(type, body)) {
            try {
                JsonNode parsed = JSON.readTree(body);
                if (parsed != null && !parsed.isMissingNode()) {
                    if (!parsed.isObject()) {
                        return new Malformed("the JSON body must be an object, e.g. {\"text\": \"hi\"}; got " + parsed.getNodeType().name().toLowerCase());
                    }
                    params = (ObjectNode) parsed;
                }
            } catch (IOException | RuntimeException e) {
                return new Malformed("malformed JSON body: " + firstLine(e.getMessage()));
            }
        } else if (type.equals("application/x-www-form-urlencoded") && body.length > 0) {
            addForm(params, new String(body, StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, List<String>> entry : query.entrySet()) {
            // The body wins: a query string must not silently override what a client posted.
            if (!params.has(entry.getKey()) && !entry.getValue().isEmpty()) {
                params.put(entry.getKey(), entry.getValue().getFirst());
            }
        }
        return new Ok(new JsonRequest(params, body, contentType));
    }

    private static boolean isJsonCandidate(String type, byte[] body) {
        if (body.length == 0) {
            return false;
        }
        if (type.isEmpty() || type.equals("application/json") || type.endsWith("+json")) {
            return true;
        }
        if (type.equals("application/x-www-form-urlencoded") || type.equals("text/plain")) {
            for (byte b : body) {
                if (!Character.isWhitespace(b)) {
                    return b == '{' || b == '[';
                }
            }
        }
        return false;
    }

    private static void addForm(ObjectNode params, String form) {
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!params.has(key)) {
                    params.put(key, value);
                }
            } catch (IllegalArgumentException badEscape) {
                params.put(pair, "");
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
