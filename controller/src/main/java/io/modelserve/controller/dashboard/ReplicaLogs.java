package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The per-replica log files of this node ({@code <log dir>/replicas/<replica id>.log}, written by
 * logback's sifting appender) read back through {@link LogTail}. Also serves them on the node's
 * ingress at {@code /-/logs/<replica>}, which is how the head reads the logs of replicas on other
 * nodes.
 */
public final class ReplicaLogs {
    private static final ObjectMapper JSON = PooledJson.mapper();
    public static final int MAX_LINES = LogTail.MAX_LINES;

    private final Path dir;

    /** A piece of a replica's log: whole lines, and the offset to ask from next time. */
    public record Chunk(String replica, List<String> lines, long offset, boolean exists, boolean skipped) {}

    public ReplicaLogs(Path dir) {
        this.dir = dir;
    }

    public static boolean isReplicaId(String id) {
        return LogTail.isFileName(id);
    }

    public Path file(String replica) {
        return dir.resolve(replica + ".log");
    }

    /**
     * @param from  byte offset returned by an earlier call, or a negative number for the tail
     * @param lines how many lines the tail has (ignored when following from an offset)
     */
    public Chunk read(String replica, long from, int lines) throws IOException {
        if (!isReplicaId(replica)) {
            throw new IllegalArgumentException("not a replica id: " + replica);
        }
        LogTail.Tail tail = LogTail.read(file(replica), from, lines);
        return new Chunk(replica, tail.lines(), tail.offset(), tail.exists(), tail.skipped());
    }

    /** Registers {@code GET /-/logs/<replica>?lines=N&from=OFFSET} on a node's ingress. */
    public void register(Javalin app) {
        app.get("/-/logs/{replica}", this::serve);
    }

    private void serve(Context ctx) throws IOException {
        String replica = ctx.pathParam("replica");
        if (!isReplicaId(replica)) {
            json(ctx, 400, Map.of("status", 0, "error", "not a replica id: " + replica));
            return;
        }
        Query query = Query.of(ctx.queryParam("lines"), ctx.queryParam("from"));
        if (query.error() != null) {
            json(ctx, 400, Map.of("status", 0, "error", query.error()));
            return;
        }
        json(ctx, 200, read(replica, query.from(), query.lines()));
    }

    /** The {@code lines} and {@code from} parameters, checked. */
    record Query(int lines, long from, String error) {
        static Query of(String lines, String from) {
            try {
                int n = lines == null || lines.isBlank() ? 100 : Integer.parseInt(lines.strip());
                long offset = from == null || from.isBlank() ? -1 : Long.parseLong(from.strip());
                if (n < 0 || n > MAX_LINES) {
                    return new Query(0, 0, "lines must be between 0 and " + MAX_LINES + ", got " + n);
                }
                return new Query(n, offset, null);
            } catch (NumberFormatException e) {
                return new Query(0, 0, "lines and from must be whole numbers: " + e.getMessage());
            }
        }
    }

    static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }
}
