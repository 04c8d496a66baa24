package io.modelserve.agent.routing;

/** How a routed request ended: a result from a replica, or an HTTP error status and message. */
public sealed interface Outcome permits Outcome.Served, Outcome.Refused {

    /**
     * @param node the node that ran it, or null for this node
     */
    record Served(Object result, String node, String replicaId) implements Outcome {
        public Served(Object result, String replicaId) {
            this(result, null, replicaId);
        }
    }

    /**
     * @param retryAfterSeconds for 503: when a client should try again; 0 when not applicable
     */
    record Refused(int status, String message, int retryAfterSeconds) implements Outcome {
        static Refused of(int status, String message) {
            return new Refused(status, message, status == 503 ? 1 : 0);
        }
    }
}
