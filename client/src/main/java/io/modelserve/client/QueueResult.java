package io.modelserve.client;

import com.fasterxml.jackson.databind.JsonNode;

/** How a queued request ended. */
public sealed interface QueueResult permits QueueResult.Done, QueueResult.Failed {

    /** The route's {@code result}. */
    record Done(JsonNode result) implements QueueResult {}

    /** The route answered an error, or the id is unknown (404: never accepted, or its result expired). */
    record Failed(int httpStatus, String error) implements QueueResult {}
}
