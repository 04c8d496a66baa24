package io.modelserve.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Results of what this client's {@link InputQueue}s enqueued ({@code GET /-/result/<id>}), in the shape
 * of Cluster Serving's {@code OutputQueue.query(id)} and {@code dequeue()}.
 */
public final class OutputQueue {
    private final ModelServeClient client;
    private final QueueTickets tickets;

    OutputQueue(ModelServeClient client, QueueTickets tickets) {
        this.client = client;
        this.tickets = tickets;
    }

    /**
     * The result of the request enqueued as {@code id}, or empty while it is pending. The id stays
     * known until {@link #dequeue()} or {@link #forget} takes it.
     *
     * @throws CallException the request failed (with the route's status and message), or the server
     *                       no longer knows it (404: its result expired)
     * @throws IllegalArgumentException when {@code id} was not enqueued through this client
     */
    public Optional<JsonNode> query(String id) throws CallException, InterruptedException {
        QueueResult result = client.result(tickets.serverId(id));
        return switch (result) {
            case null -> Optional.empty();
            case QueueResult.Done done -> Optional.of(done.result());
            case QueueResult.Failed failed -> throw new CallException(failed.httpStatus(), failed.error(), 0);
        };
    }

    /**
     * Every finished request, by the caller's id in enqueue order, done or failed; they are forgotten
     * (a second dequeue does not return them). Pending ones stay for a later call.
     */
    public Map<String, QueueResult> dequeue() throws CallException, InterruptedException {
        Map<String, QueueResult> finished = new LinkedHashMap<>();
        for (Map.Entry<String, String> ticket : tickets.all()) {
            QueueResult result = client.result(ticket.getValue());
            if (result != null) {
                finished.put(ticket.getKey(), result);
                tickets.release(ticket.getKey());
            }
        }
        return finished;
    }

    /** Stops tracking {@code id} (its result, if any, stays on the server until it expires). */
    public void forget(String id) {
        tickets.release(id);
    }
}
