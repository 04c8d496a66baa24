package io.modelserve.agent.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Work accepted by {@code POST /-/queue/<route>}: what to run, kept in the cluster (with a backup)
 * until a node has run it, so the loss of the node that accepted it loses nothing.
 */
record QueuedRequest(String id, String deployment, ObjectNode params, byte[] body, String contentType,
        long acceptedAtMillis, String acceptedBy) {}
