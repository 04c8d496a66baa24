package io.modelserve.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One call to a deployment's route, as the plugin sees it. Immutable. */
public interface Request {

    /**
     * The JSON body (when the content type is JSON or absent) merged with the query parameters;
     * query parameters do not override body fields. Always an object node, possibly empty.
     */
    JsonNode params();

    /** The raw request body, e.g. an image sent as {@code application/octet-stream}; never null. */
    byte[] body();

    /** The request's {@code Content-Type} header, or an empty string when it had none. */
    String contentType();

    /**
     * The rest of the path under a wildcard route: {@code "scan/page-1"} for {@code POST /ocr/scan/page-1}
     * on {@code route = ocr/*}, as it appears in the URL (percent-encoding kept), without a leading or
     * trailing '/'. Empty for {@code /ocr} itself and for every request on a route without {@code /*}.
     */
    default String subPath() {
        return "";
    }

    /**
     * The model this request is for, on a multiplexed section ({@link MultiModelBackend}): from the
     * {@code X-Modelserve-Model} header or the path segment after the route ({@code POST /words/w07}).
     * Empty on every other section.
     */
    default String model() {
        return "";
    }

    /**
     * The HTTP headers of the client's request, by lower-case name ({@code "x-request-id"}), values as
     * sent; a header sent more than once has its values joined with {@code ", "} (as RFC 9110 allows;
     * {@code cookie} with {@code "; "}). Immutable. A request that did not come over HTTP (a
     * {@link DeploymentHandle} call) has only {@code content-type}, when it has a {@link #contentType()};
     * this default, for requests built without headers, is empty.
     *
     * <p>Every header the client sent is here, {@code Content-Type}, {@code Authorization} and
     * {@code Host} included, except those that concern only the connection to modelserve: the
     * hop-by-hop headers ({@code Connection} and the headers it names, {@code Keep-Alive},
     * {@code Transfer-Encoding}, {@code TE}, {@code Trailer}, {@code Upgrade}, {@code HTTP2-Settings},
     * {@code Proxy-*}) and modelserve's own {@code X-Modelserve-*} headers, which modelserve reads
     * itself (the version pin, the model, and the cluster's internal ones). A request forwarded to a
     * replica on another node, queued with {@code /-/queue}, or run in a child process carries the
     * same headers as one served where it arrived.
     */
    default Map<String, String> headers() {
        return Map.of();
    }

    /** The header {@code name} (any case) of {@link #headers()}, or empty when the request had none. */
    default Optional<String> header(String name) {
        return Optional.ofNullable(headers().get(name.toLowerCase(Locale.ROOT)));
    }
}
