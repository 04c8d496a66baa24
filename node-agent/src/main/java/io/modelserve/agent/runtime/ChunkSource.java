package io.modelserve.agent.runtime;

/**
 * The chunks of a streamed answer as the ingress reads them, whether the stream runs on a local
 * replica ({@link ChunkChannel}) or on another node (read from its forwarded response).
 */
public interface ChunkSource {

    /** What {@link #next} returns after the last chunk. */
    Object END = new Object() {
        @Override
        public String toString() {
            return "END";
        }
    };

    /** The backend failed after its first chunk; the stream ends with this error. */
    record Failed(String message) {}

    /**
     * The next chunk, {@link #END}, a {@link Failed}, or null when nothing came within {@code timeoutMillis}.
     */
    Object next(long timeoutMillis) throws InterruptedException;

    /** Nobody reads any more (client gone, timed out): the backend's sink reports cancelled. */
    void cancel();
}
