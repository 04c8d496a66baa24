package io.modelserve.agent.runtime;

import io.modelserve.sdk.Request;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request for a replica. The caller holds {@link #result()}; a caller that gave up (timeout)
 * cancels it and the worker skips the job.
 *
 * @param stream        where a streaming backend's chunks go; null when the caller wants one result. With a
 *                      stream, {@link #result()} completes with the channel once the stream has ended.
 * @param rescue        non-null when the caller may run the job on its own thread (see {@link Rescue})
 * @param deadlineNanos when the caller's answer is due, on the replica's ticker; used with {@code rescue}
 * @param createdNanos  {@link System#nanoTime()} when the job was made: the start of its queue wait
 *                      in {@code modelserve_replica_queue_wait_seconds} (a metric only, never a decision)
 * @param began         {@link System#nanoTime()} when the plugin call that answers it began, 0 before: set
 *                      by the replica before the call, read by the caller once it has the answer (the
 *                      access log's queue and compute times; a metric only, never a decision)
 */
public record Job(Request request, CompletableFuture<Object> result, ChunkChannel stream, Rescue rescue, long deadlineNanos,
        long createdNanos, AtomicLong began) {
    public Job(Request request, CompletableFuture<Object> result) {
        this(request, result, null, null, Long.MAX_VALUE, System.nanoTime(), new AtomicLong());
    }

    public Job(Request request, CompletableFuture<Object> result, ChunkChannel stream) {
        this(request, result, stream, null, Long.MAX_VALUE, System.nanoTime(), new AtomicLong());
    }

    /** Where this job's time went, as its caller sees it at {@code answeredNanos}. */
    public RunTiming timing(long answeredNanos) {
        long start = began.get();
        return start == 0 ? RunTiming.UNKNOWN : new RunTiming(Math.max(0, start - createdNanos), Math.max(0, answeredNanos - start));
    }

    /**
     * A job its caller may run on its own thread when the replica is idle: {@code rescue} answers
     * the caller if that call is still running at {@code deadlineNanos}.
     */
    public static Job inline(Request request, Rescue rescue, long deadlineNanos) {
        return new Job(request, new CompletableFuture<>(), null, rescue, deadlineNanos, System.nanoTime(), new AtomicLong());
    }

    public static Job of(Request request) {
        return new Job(request, new CompletableFuture<>());
    }

    /** A job whose answer may be streamed, when the replica's backend is a {@code StreamingBackend}. */
    public static Job streaming(Request request) {
        return new Job(request, new CompletableFuture<>(), new ChunkChannel());
    }

    /** This job with the plugin seeing {@code view} of its request; the caller's result and timing stay. */
    Job withRequest(Request view) {
        return new Job(view, result, stream, rescue, deadlineNanos, createdNanos, began);
    }

    boolean runsInline() {
        return rescue != null && stream == null;
    }

    boolean abandoned() {
        return result.isDone();
    }
}
