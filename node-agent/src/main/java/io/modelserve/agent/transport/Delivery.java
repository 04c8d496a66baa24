package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a send to another node ended, as a value: exactly what the retry decision needs, so that no
 * caller has to guess from an exception or a message whether the request could have run.
 */
public sealed interface Delivery {

    /** Nothing of the request reached the peer (no connection, or the write itself failed): it cannot have run. */
    record NotSent(String reason) implements Delivery {}

    /** The peer said it did not run the request, and why, as a code (header {@link Refusal#HEADER}). */
    record Refused(Refusal reason, String message) implements Delivery {}

    /**
     * The request was written and no answer came: the connection broke, the peer left the cluster,
     * or it stopped answering. The peer may have run it.
     */
    record MayHaveRun(String cause) implements Delivery {}

    /**
     * The request's deadline passed with no answer from the peer, which may still be running it.
     * Unlike {@link MayHaveRun} this is never a reason to try elsewhere: the request is over (504).
     */
    record TimedOut(String cause) implements Delivery {}

    /**
     * The peer answered. Whatever the status, this is the request's answer: a 503 that a composed
     * call's callee gave is the caller's result, not a refusal to run it.
     *
     * @param shaped the plugin's own response (then {@code body} is only {@code {"status":1}}); null otherwise
     * @param timing the replica's queue wait and compute, as the peer told them ({@code RunTiming.HEADER})
     */
    record Answered(int status, JsonNode body, String retryAfter, Shaped shaped, io.modelserve.agent.runtime.RunTiming timing)
            implements Delivery {
        public Answered(int status, JsonNode body, String retryAfter) {
            this(status, body, retryAfter, null);
        }

        public Answered(int status, JsonNode body, String retryAfter, Shaped shaped) {
            this(status, body, retryAfter, shaped, io.modelserve.agent.runtime.RunTiming.UNKNOWN);
        }
    }

    /** A plugin's own {@link io.modelserve.sdk.Response}, as it came back, and where it ran ({@code node/replica}). */
    record Shaped(io.modelserve.sdk.Response response, String info) {}
}
