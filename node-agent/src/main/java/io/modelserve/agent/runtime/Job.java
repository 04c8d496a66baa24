package io.modelserve.agent.runtime;

import io.modelserve.sdk.Request;
import java.util.concurrent.CompletableFuture;

/**
 * One request waiting in a replica's queue. The caller holds {@link #result()}; a caller that gave
 * up (timeout) cancels it and the worker skips the job.
 *
 * @param stream where a streaming backend's chunks go; null when the caller wants one result. With a
 *               stream, {@link #result()} completes with the channel once the stream has ended.
 */
public record Job(Request request, CompletableFuture<Object> result, ChunkChannel stream) {
    public Job(Request request, CompletableFuture<Object> result) {
        this(request, result, null);
    }

    public static Job of(Request request) {
        return new Job(request, new CompletableFuture<>());
    }

    /** A job whose answer may be streamed, when the replica's backend is a {@code StreamingBackend}. */
    public static Job streaming(Request request) {
        return new Job(request, new CompletableFuture<>(), new ChunkChannel());
    }

    boolean abandoned() {
        return result.isDone();
    }
}
