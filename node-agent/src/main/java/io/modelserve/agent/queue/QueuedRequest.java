package io.modelserve.agent.queue;

import java.util.List;
import java.util.Map;

/**
 * Work accepted by {@code POST /-/queue/<route>}: what to run, kept in the cluster (with backups)
 * until a node has run it, so the loss of the node that accepted it loses nothing.
 *
 * <p>It keeps the request as it came (raw body, content type, query) rather than decoded: the consumer
 * decodes it again (the decoder is pure, and was run once on accept to answer 400 there), so a JSON
 * body is stored once, not once raw and once more as params.
 */
record QueuedRequest(String id, String deployment, Map<String, List<String>> query, String contentType,
        long acceptedAtMillis, String acceptedBy, byte[] body) {
    QueuedRequest {
        query = query == null ? Map.of() : query;
        contentType = contentType == null ? "" : contentType;
        body = body == null ? new byte[0] : body;
    }
}
