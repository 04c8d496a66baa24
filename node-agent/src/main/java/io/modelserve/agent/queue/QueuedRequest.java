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
 *
 * @param headers the client's headers as its plugin sees them, selected on accept
 *                ({@link io.modelserve.agent.http.PluginHeaders}); empty for work stored before they were kept
 */
record QueuedRequest(String id, String deployment, Map<String, List<String>> query, String contentType,
        long acceptedAtMillis, String acceptedBy, Map<String, String> headers, byte[] body) {
    QueuedRequest {
        query = query == null ? Map.of() : query;
        headers = headers == null ? Map.of() : headers;
        contentType = contentType == null ? "" : contentType;
        body = body == null ? new byte[0] : body;
    }

    /** Work without client headers (tests, and what an older node stored). */
    QueuedRequest(String id, String deployment, Map<String, List<String>> query, String contentType,
            long acceptedAtMillis, String acceptedBy, byte[] body) {
        this(id, deployment, query, contentType, acceptedAtMillis, acceptedBy, Map.of(), body);
    }
}
