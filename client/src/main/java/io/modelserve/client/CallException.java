package io.modelserve.client;

/**
 * A route answered with an error ({@code {"status":0,"error":"..."}}), or could not be reached.
 *
 * <p>{@link #httpStatus()} is what the server said: 400 bad input, 404 no such route or id, 413 too
 * large, 500 the backend threw, 503 overloaded (retry after {@link #retryAfterSeconds()}), 504 timed
 * out; 0 when no answer came at all (connection refused, I/O error).
 */
public class CallException extends Exception {
    private final int httpStatus;
    private final int retryAfterSeconds;

    public CallException(int httpStatus, String message, int retryAfterSeconds) {
        super(message);
        this.httpStatus = httpStatus;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    CallException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = 0;
        this.retryAfterSeconds = 0;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** From the Retry-After header of a 503; 0 when the server gave none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Worth retrying later: overloaded, no replica ready yet, or no answer at all. */
    public boolean retryable() {
        return httpStatus == 503 || httpStatus == 0;
    }
}
