package io.modelserve.agent.runtime;

/**
 * A {@link io.modelserve.sdk.StreamingBackend} that learns only in {@code init} whether it streams:
 * a replica in a child process, whose class the node cannot inspect (a Python package's generator).
 */
public interface DeclaredStreaming {
    /** Whether its answers are chunked; asked once {@code init} has returned. */
    boolean streams();
}
