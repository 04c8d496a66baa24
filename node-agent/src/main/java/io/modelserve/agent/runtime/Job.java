package io.modelserve.agent.runtime;

import io.modelserve.sdk.Request;
import java.util.concurrent.CompletableFuture;

/**
 * One request waiting in a replica's queue. The caller holds {@link #result()}; a caller that gave
 * up (timeout) cancels it and the worker skips the job.
 */
public record Job(Request request, CompletableFuture<Object> result) {
    public static Job of(Request request) {
        return new Job(request, new CompletableFuture<>());
    }

    boolean abandoned() {
        return result.isDone();
    }
}
