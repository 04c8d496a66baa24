package io.modelserve.agent.queue;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The state of a queued request, as {@code GET /-/result/<id>} reports it.
 *
 * @param state    PENDING (waiting), RUNNING (taken by {@code node}), DONE or FAILED
 * @param status   the HTTP status the route would have answered, once finished
 * @param envelope the response envelope, once finished
 */
record QueuedResult(String id, String state, int status, JsonNode envelope, String node, long updatedAtMillis) {
    static final String PENDING = "PENDING";
    static final String RUNNING = "RUNNING";
    static final String DONE = "DONE";
    static final String FAILED = "FAILED";

    boolean finished() {
        return DONE.equals(state) || FAILED.equals(state);
    }
}
