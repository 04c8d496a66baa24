package io.modelserve.sdk;

import com.fasterxml.jackson.databind.JsonNode;

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
}
