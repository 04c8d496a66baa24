package io.modelserve.client;

import java.util.UUID;

/**
 * Puts requests for one route into the cluster's async queue ({@code POST /-/queue/<route>}), in the
 * shape of Cluster Serving's {@code InputQueue.enqueue(id, ...)}. The cluster keeps the work even if
 * the node that accepted it dies; fetch the results with the client's {@link OutputQueue}.
 */
public final class InputQueue {
    private final ModelServeClient client;
    private final String route;
    private final QueueTickets tickets;

    InputQueue(ModelServeClient client, String route, QueueTickets tickets) {
        this.client = client;
        this.route = route;
        this.tickets = tickets;
    }

    /**
     * Enqueues JSON params under the caller's {@code id}, which {@link OutputQueue#query} and
     * {@link OutputQueue#dequeue} use. An id is unique until it is dequeued.
     *
     * @return the id the server gave the request (what {@code GET /-/result/<id>} takes)
     * @throws CallException when the route refused it (404 unknown route, 503 overloaded, ...): nothing was enqueued
     */
    public String enqueue(String id, Object params) throws CallException, InterruptedException {
        return enqueue(id, ModelServeClient.json(params), "application/json");
    }

    /** Enqueues a raw body (an image, ...) under the caller's {@code id}. */
    public String enqueue(String id, byte[] body, String contentType) throws CallException, InterruptedException {
        tickets.claim(id);
        try {
            String serverId = client.enqueue(route, body, contentType);
            tickets.bind(id, serverId);
            return serverId;
        } catch (CallException | InterruptedException | RuntimeException e) {
            tickets.release(id);
            throw e;
        }
    }

    /** Enqueues JSON params under a fresh id, which it returns. */
    public String enqueue(Object params) throws CallException, InterruptedException {
        String id = UUID.randomUUID().toString();
        enqueue(id, params);
        return id;
    }

    public String route() {
        return route;
    }
}
