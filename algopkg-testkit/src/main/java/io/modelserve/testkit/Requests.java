package io.modelserve.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.http.PluginHeaders;
import io.modelserve.agent.http.RequestDecoder;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Requests as the ingress hands them to a plugin, decoded by the ingress's own decoder. */
public final class Requests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {}

    /**
     * A JSON body, as {@code curl -d '{"text":"hi"}'} sends it.
     *
     * @param json a JSON object
     * @return the request the plugin sees
     * @throws IllegalArgumentException when the ingress would answer 400, with its message
     */
    public static Request json(String json) {
        return decode(json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
    }

    /**
     * A JSON body with the client's headers, e.g.
     * {@code Requests.json("{\"text\":\"hi\"}", Map.of("X-Request-Id", "abc"))}: {@link Request#headers()}
     * is what the ingress would hand on of them, selected as it selects them (hop-by-hop and
     * {@code X-Modelserve-*} headers left out, names lower-cased), with the {@code content-type}
     * {@code application/json} unless {@code headers} names another.
     *
     * @param json    a JSON object
     * @param headers the headers as a client sends them, any case
     * @return the request the plugin sees
     * @throws IllegalArgumentException when the ingress would answer 400, with its message
     */
    public static Request json(String json, Map<String, String> headers) {
        Map<String, List<String>> received = new java.util.LinkedHashMap<>();
        headers.forEach((name, value) -> received.put(name, List.of(value)));
        String contentType = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                .map(Map.Entry::getValue).findFirst().orElse("application/json");
        return switch (decoded(json.getBytes(StandardCharsets.UTF_8), contentType, Map.of())) {
            case RequestDecoder.Ok ok -> ok.request().withHeaders(PluginHeaders.of(received));
            case RequestDecoder.Malformed malformed -> throw new IllegalArgumentException(malformed.message());
        };
    }

    /**
     * A JSON body from a map, e.g. {@code Requests.json(Map.of("text", "hi"))}.
     *
     * @param params the body's fields
     * @return the request the plugin sees
     */
    public static Request json(Map<String, ?> params) {
        return new JsonRequest(JSON.valueToTree(params), null, "application/json");
    }

    /**
     * A raw body, e.g. an image, with query parameters as params.
     *
     * @param body        the bytes
     * @param contentType e.g. {@code image/png}
     * @param query       the query parameters
     * @return the request the plugin sees
     */
    public static Request bytes(byte[] body, String contentType, Map<String, String> query) {
        return decode(body, contentType, query);
    }

    static RequestDecoder.Decoded decoded(byte[] body, String contentType, Map<String, String> query) {
        Map<String, List<String>> multi = query.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        return RequestDecoder.decode(body, contentType, multi);
    }

    private static Request decode(byte[] body, String contentType, Map<String, String> query) {
        return switch (decoded(body, contentType, query)) {
            case RequestDecoder.Ok ok -> ok.request();
            case RequestDecoder.Malformed malformed -> throw new IllegalArgumentException(malformed.message());
        };
    }
}
