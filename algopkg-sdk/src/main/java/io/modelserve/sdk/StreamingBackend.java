package io.modelserve.sdk;

import java.util.ArrayList;
import java.util.List;

/**
 * A backend that answers incrementally, e.g. a language model emitting tokens. Implement this instead
 * of {@link AlgoBackend}; existing backends are untouched.
 *
 * <p>A route served by a streaming backend answers {@code 200} with a stream: Server-Sent Events when
 * the client sends {@code Accept: text/event-stream}, newline-delimited JSON otherwise. Each chunk is
 * one {@code {"status":1,"chunk":...}}; the stream ends with {@code {"status":1,"done":true,"info":...}},
 * or {@code {"status":0,"error":...}} when the backend throws after its first chunk (an exception
 * before the first chunk is an ordinary error response).
 *
 * <p>Calls that cannot stream — the async queue, a composed {@link DeploymentHandle} call, a
 * deployment with {@code max_batch_size > 1} — get {@link #inference(Request)}: by default every chunk
 * collected into a list.
 */
public interface StreamingBackend extends AlgoBackend {

    /**
     * Emits the answer to {@code request} chunk by chunk into {@code sink}, on the replica's worker
     * thread; the request is answered when this returns. Check {@link ChunkSink#isCancelled()} between
     * chunks and return when it is true: a client that disconnected wants nothing more.
     */
    void inferenceStream(Request request, ChunkSink sink) throws Exception;

    /** The whole stream at once: its chunks, in order, as a list. */
    @Override
    default Object inference(Request request) throws Exception {
        List<Object> chunks = new ArrayList<>();
        inferenceStream(request, new ChunkSink() {
            @Override
            public void emit(Object chunk) {
                chunks.add(chunk);
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        });
        return chunks;
    }
}
