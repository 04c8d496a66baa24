package io.modelserve.sdk;

/**
 * Where a {@link StreamingBackend} puts the parts of its answer as they are ready. Each chunk must be
 * JSON-serialisable, like a result; it reaches the client at once (one Server-Sent Event, or one line
 * of newline-delimited JSON).
 */
public interface ChunkSink {

    /** Sends one chunk; does nothing once {@link #isCancelled()} (the client is gone, or timed out). */
    void emit(Object chunk);

    /**
     * True once nobody is listening any more: the client disconnected or the request timed out. A
     * backend checks it in its loop and returns early, so the replica is free for the next request.
     */
    boolean isCancelled();
}
