package io.modelserve.agent.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.sdk.Request;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A request as decoded by the ingress (or built by a deployment handle).
 *
 * @param subPath the rest of the path under a wildcard route ({@link Request#subPath()}); "" otherwise
 * @param headers the client's headers as the plugin sees them ({@link io.modelserve.agent.http.PluginHeaders});
 *                names are lower-cased here, and {@code content-type} is added when the request has a
 *                content type but no such header (a deployment handle's call), so the two never disagree
 */
public record JsonRequest(ObjectNode params, byte[] body, String contentType, String subPath, Map<String, String> headers)
        implements Request {
    private static final byte[] EMPTY = new byte[0];

    public JsonRequest {
        body = body == null ? EMPTY : body;
        contentType = contentType == null ? "" : contentType;
        subPath = subPath == null ? "" : subPath;
        headers = normalised(headers, contentType);
    }

    public JsonRequest(ObjectNode params, byte[] body, String contentType) {
        this(params, body, contentType, "", Map.of());
    }

    public JsonRequest(ObjectNode params, byte[] body, String contentType, String subPath) {
        this(params, body, contentType, subPath, Map.of());
    }

    /** This request under a wildcard route, with the rest of its path. */
    public JsonRequest withSubPath(String rest) {
        return new JsonRequest(params, body, contentType, rest, headers);
    }

    /** This request with the client's headers (already selected, see {@link io.modelserve.agent.http.PluginHeaders}). */
    public JsonRequest withHeaders(Map<String, String> clientHeaders) {
        return new JsonRequest(params, body, contentType, subPath, clientHeaders);
    }

    private static Map<String, String> normalised(Map<String, String> headers, String contentType) {
        if (headers == null || headers.isEmpty()) {
            // Every call of a deployment handle, and every test request: no map to build.
            return contentType.isEmpty() ? Map.of() : Map.of("content-type", contentType);
        }
        Map<String, String> named = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (name != null && value != null) {
                named.merge(name.toLowerCase(Locale.ROOT), value, (first, more) -> first + ", " + more);
            }
        });
        if (!contentType.isEmpty()) {
            named.putIfAbsent("content-type", contentType);
        }
        return Collections.unmodifiableMap(named);
    }
}
