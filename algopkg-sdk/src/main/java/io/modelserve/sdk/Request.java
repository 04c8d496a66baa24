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
}
