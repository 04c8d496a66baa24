package io.modelserve.sdk;

/**
 * Thrown by {@link AlgoBackend#inference(Request)} to answer the request with a 4xx instead of a
 * 500: the client sent something this plugin cannot serve (a missing field, an image that does not
 * decode), and its message says what. The route answers {@code {"status":0,"error":"<message>"}}
 * (or {@code {"error":"<message>"}} with {@code envelope = false}) with {@link #status()}, also
 * when the request was forwarded to a replica on another node; nothing is logged above DEBUG.
 *
 * <p>An {@link IllegalArgumentException}, so code that already catches that keeps working. In a
 * batch, put it at a request's position in the list {@link AlgoBackend#inferenceBatch} returns to
 * answer that request alone.
 */
public class InvalidRequestException extends IllegalArgumentException {

    private final int status;

    /** A 400 Bad Request with {@code message}. */
    public InvalidRequestException(String message) {
        this(400, message);
    }

    /**
     * @param status a client error, 400..499 (e.g. 404 for a sub-path the plugin does not know, 422)
     * @throws IllegalArgumentException if {@code status} is not a 4xx
     */
    public InvalidRequestException(int status, String message) {
        super(message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("InvalidRequestException takes a 4xx status, got " + status);
        }
        this.status = status;
    }

    /** The HTTP status the route answers with, 400..499. */
    public int status() {
        return status;
    }
}
