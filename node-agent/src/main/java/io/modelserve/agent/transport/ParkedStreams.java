package io.modelserve.agent.transport;

import io.modelserve.agent.runtime.ChunkSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streams started here for another node, waiting for it to fetch them ({@code GET /-/stream/<id>}).
 * A forwarded request is answered at once with the stream's id, so the forwarding connection is free
 * again and the chunks travel over a connection of their own. A stream nobody fetches (its caller died
 * between the two calls) is cancelled after {@link #UNCLAIMED_MILLIS}, which frees the replica.
 */
final class ParkedStreams {
    static final long UNCLAIMED_MILLIS = 10_000;

    /** What the fetching node needs to write the stream out. */
    record Parked(ChunkSource source, String info, long gapMillis, String deployment) {}

    private final Map<String, Parked> parked = new ConcurrentHashMap<>();

    /** The id under which {@code stream} waits; unguessable, as it is the only key to it besides the cluster secret. */
    String park(Parked stream) {
        String id = UUID.randomUUID().toString();
        parked.put(id, stream);
        Thread.ofVirtual().name("unclaimed-stream-" + id).start(() -> {
            try {
                Thread.sleep(UNCLAIMED_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Parked left = parked.remove(id);
            if (left != null) {
                left.source().cancel();
            }
        });
        return id;
    }

    /** Takes the stream out; empty when unknown, already claimed or expired. */
    Optional<Parked> claim(String id) {
        return Optional.ofNullable(parked.remove(id));
    }
}
