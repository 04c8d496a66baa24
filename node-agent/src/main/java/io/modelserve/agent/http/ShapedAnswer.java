package io.modelserve.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.PooledJson;
import io.modelserve.sdk.Response;
import java.io.IOException;
import java.util.Map;

/**
 * The HTTP answer to a served result: a plain value in the envelope (or bare with
 * {@code envelope = false}), a plugin's {@link Response} with its status, headers and body. One
 * place decides it, so the ingress, the plugin test kit and {@code modelserve check} answer alike.
 */
public record ShapedAnswer(int status, Map<String, String> headers, String contentType, byte[] body) {
    private static final ObjectMapper JSON = PooledJson.mapper();
    private static final String JSON_TYPE = "application/json";

    public ShapedAnswer {
        headers = Map.copyOf(headers);
    }

    /**
     * @param info {@code node/replica}, the envelope's {@code info}
     * @param bare the route's section says {@code envelope = false}
     * @throws IOException when a JSON value is not serialisable
     */
    public static ShapedAnswer of(Object result, String info, boolean bare) throws IOException {
        if (result instanceof Response response) {
            if (!response.isJson()) {
                return new ShapedAnswer(response.status(), response.headers(), response.contentType(), response.bytes());
            }
            return new ShapedAnswer(response.status(), response.headers(), JSON_TYPE, json(response.jsonValue(), info, bare));
        }
        return new ShapedAnswer(200, Map.of(), JSON_TYPE, json(result, info, bare));
    }

    private static byte[] json(Object value, String info, boolean bare) throws IOException {
        return bare ? JSON.writeValueAsBytes(value) : Ingress.Envelope.served(value, info).toJson();
    }
}
