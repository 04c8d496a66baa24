package io.modelserve.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caller's ids of queued requests and the ids the server gave them, in enqueue order. Shared by
 * a client's input and output queues: that is what lets {@code query("doc-1")} find the server's id.
 */
final class QueueTickets {
    private final Map<String, String> serverIds = new LinkedHashMap<>();

    synchronized void claim(String id) {
        if (serverIds.containsKey(id)) {
            throw new IllegalArgumentException("id '" + id + "' is already enqueued and not dequeued yet; use another id");
        }
        serverIds.put(id, null);
    }

    synchronized void bind(String id, String serverId) {
        serverIds.put(id, serverId);
    }

    synchronized void release(String id) {
        serverIds.remove(id);
    }

    synchronized String serverId(String id) {
        if (!serverIds.containsKey(id)) {
            throw new IllegalArgumentException("id '" + id + "' was not enqueued through this client (or was dequeued already)");
        }
        String serverId = serverIds.get(id);
        if (serverId == null) {
            throw new IllegalStateException("id '" + id + "' is still being enqueued");
        }
        return serverId;
    }

    /** (caller's id, server's id) of every enqueued request, oldest first. */
    synchronized List<Map.Entry<String, String>> all() {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        serverIds.forEach((id, serverId) -> {
            if (serverId != null) {
                entries.add(Map.entry(id, serverId));
            }
        });
        return entries;
    }
}
