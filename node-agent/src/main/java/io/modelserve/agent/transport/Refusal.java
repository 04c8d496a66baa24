package io.modelserve.agent.transport;

/**
 * Why a replica did not run a request it was offered; the request never reached the plugin, so
 * another replica may take it. Travels between nodes as a code in {@link #HEADER}, never as text.
 */
public enum Refusal {
    /** Its queue is at {@code max_queued}. */
    QUEUE_FULL,
    /** It is not RUNNING (starting, draining, stopping). */
    NOT_READY,
    /** It is not on that node any more, or stopped before running the job. */
    REPLICA_GONE,
    /** Its node holds all the request bytes it may ({@code max_inflight_bytes}); the body was not read. */
    NODE_BUSY;

    /** On a forwarded request's answer: the replica refused it, with one of these codes. */
    public static final String HEADER = "X-Modelserve-Refused";

    /** The code a peer sent; one this node does not know (a newer peer) still means "refused". */
    public static Refusal parse(String code) {
        for (Refusal refusal : values()) {
            if (refusal.name().equals(code)) {
                return refusal;
            }
        }
        return NOT_READY;
    }
}
