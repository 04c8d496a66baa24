package io.modelserve.agent.runtime;

/**
 * How a request's caller is answered when the thread that would answer it is stuck running it. A
 * caller that finds its replica idle runs its own request on its own thread (no hand-off, see
 * {@link Replica#submit}); if that call is still running at the request's deadline, the replica's
 * worker, idle meanwhile, calls this once, and the caller's client gets its timeout answer on time.
 *
 * <p>A job without a rescue is never run on its caller's thread: that caller (an async-queue
 * consumer, a composed call from inside another plugin) relies on its own wait with a timeout.
 */
@FunctionalInterface
public interface Rescue {
    /** Answers the caller now that the deadline has passed; called at most once, from the worker. */
    void deadlinePassed();

    /**
     * The caller needs no answer from outside: something else bounds its wait (a forwarded
     * request: the sending node's own deadline answers its client).
     */
    Rescue NONE = () -> { };
}
