package io.modelserve.agent.routing;

import io.modelserve.agent.transport.Refusal;

/**
 * How a routed request ended: a result from a replica, or an HTTP error status and message. Either
 * may name the replica that ran the request (a plugin's 500 is that replica's answer), for the
 * request metrics and the access log.
 */
public sealed interface Outcome permits Outcome.Served, Outcome.Refused {
    /** The node that ran it, or null for this node (or when no replica ran it). */
    String node();

    /** The replica that ran it, or null when none did. */
    String replicaId();

    /** Its queue wait and compute in that replica, when known. */
    io.modelserve.agent.runtime.RunTiming timing();

    /**
     * @param node   the node that ran it, or null for this node
     * @param timing its queue wait and compute in the replica, for the access log
     */
    record Served(Object result, String node, String replicaId, io.modelserve.agent.runtime.RunTiming timing) implements Outcome {
        public Served(Object result, String replicaId) {
            this(result, null, replicaId);
        }

        public Served(Object result, String node, String replicaId) {
            this(result, node, replicaId, io.modelserve.agent.runtime.RunTiming.UNKNOWN);
        }
    }

    /**
     * @param retryAfterSeconds for 503: when a client should try again; 0 when not applicable
     * @param refusal           set when a replica declined to run the request (it never reached the
     *                          plugin, another replica may take it); null when this is the request's
     *                          own answer, an error the plugin or a callee of it gave included
     * @param replicaId         the replica whose plugin ran and gave this answer, or null when none did
     */
    record Refused(int status, String message, int retryAfterSeconds, Refusal refusal, String node, String replicaId,
            io.modelserve.agent.runtime.RunTiming timing) implements Outcome {
        public Refused(int status, String message, int retryAfterSeconds) {
            this(status, message, retryAfterSeconds, null);
        }

        public Refused(int status, String message, int retryAfterSeconds, Refusal refusal) {
            this(status, message, retryAfterSeconds, refusal, null, null, io.modelserve.agent.runtime.RunTiming.UNKNOWN);
        }

        /** This answer, as given by {@code replicaId} on {@code node} (null: this node) after {@code timing}. */
        public Refused ranOn(String node, String replicaId, io.modelserve.agent.runtime.RunTiming timing) {
            return new Refused(status, message, retryAfterSeconds, refusal, node, replicaId, timing);
        }

        static Refused of(int status, String message) {
            return new Refused(status, message, status == 503 ? 1 : 0);
        }
    }
}
