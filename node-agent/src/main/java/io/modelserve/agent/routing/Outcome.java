package io.modelserve.agent.routing;

import io.modelserve.agent.transport.Refusal;

/** How a routed request ended: a result from a replica, or an HTTP error status and message. */
public sealed interface Outcome permits Outcome.Served, Outcome.Refused {

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
     */
    record Refused(int status, String message, int retryAfterSeconds, Refusal refusal) implements Outcome {
        public Refused(int status, String message, int retryAfterSeconds) {
            this(status, message, retryAfterSeconds, null);
        }

        static Refused of(int status, String message) {
            return new Refused(status, message, status == 503 ? 1 : 0);
        }
    }
}
