package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The per-replica log files of this node ({@code <log dir>/replicas/<replica id>.log}, written by
 * logback's sifting appender) read back: the last lines, or what was added after an offset, so a
 * follower sees each line once. Also serves them on the node's ingress at {@code /-/logs/<replica>},
 * which is how the head reads the logs of replicas on other nodes.
 */
public final class ReplicaLogs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REPLICA_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** At most this many bytes are read per call; a follower that fell further behind skips ahead. */
    static final int MAX_READ_BYTES = 256 * 1024;
    public static final int MAX_LINES = 2_000;

    private final Path dir;

    /** A piece of a replica's log: whole lines, and the offset to ask from next time. */
    public record Chunk(String replica, List<String> lines, long offset, boolean exists, boolean skipped) {}

    public ReplicaLogs(Path dir) {
        this.dir = dir;
    }

    public static boolean isReplicaId(String id) {
        return id != null && REPLICA_ID.matcher(id).matches() && !id.contains("..");
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
        Path file = file(replica);
        if (!Files.isRegularFile(file)) {
            return new Chunk(replica, List.of(), 0, false, false);
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            boolean tail = from < 0 || from > size; // beyond the end: the file rolled over, start again
            long start = tail ? Math.max(0, size - MAX_READ_BYTES) : Math.max(from, size - MAX_READ_BYTES);
            boolean skipped = !tail && start > from;
            byte[] bytes = new byte[(int) (size - start)];
            in.seek(start);
            in.readFully(bytes);
            int end = lastNewline(bytes) + 1; // a partly written last line waits for the next call
            String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(List.of(text.split("\n", -1)));
            all.removeLast(); // what follows the last newline: nothing
            if (tail && start > 0 && !all.isEmpty()) {
                all.removeFirst(); // cut by the read window
            }
            int keep = tail ? Math.clamp(lines, 0, MAX_LINES) : MAX_LINES;
            List<String> kept = all.size() > keep ? all.subList(all.size() - keep, all.size()) : all;
            skipped |= !tail && kept.size() < all.size();
            return new Chunk(replica, List.copyOf(kept), start + end, true, skipped);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
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
