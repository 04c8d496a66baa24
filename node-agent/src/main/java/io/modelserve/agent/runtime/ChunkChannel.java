package io.modelserve.agent.runtime;

import io.modelserve.sdk.ChunkSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands the chunks of one streamed request from the replica's worker thread (the backend's
 * {@link ChunkSink}) to the ingress thread writing them out. Unbounded: a backend never blocks on a
 * slow client; a client that stops reading is noticed as a failed write and cancels the stream.
 */
public final class ChunkChannel implements ChunkSink, ChunkSource {
    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final CompletableFuture<ChunkChannel> started = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile Runnable onEmit = () -> { };

    @Override
    public void emit(Object chunk) {
        if (cancelled) {
            return;
        }
        chunks.add(chunk == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : chunk);
        started.complete(this);
        onEmit.run();
    }

    /** Run on the worker after each chunk: a backend that keeps emitting is not hung, however long it streams. */
    void onEmit(Runnable action) {
        onEmit = action;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    /** Completes with this channel when the first chunk is emitted. */
    public CompletableFuture<ChunkChannel> started() {
        return started;
    }

    void finish() {
        chunks.add(END);
        started.complete(this);
    }

    void fail(String message) {
        chunks.add(new Failed(message));
        started.complete(this);
    }

    @Override
    public Object next(long timeoutMillis) throws InterruptedException {
        return chunks.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
