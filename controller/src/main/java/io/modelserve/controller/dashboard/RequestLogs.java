package io.modelserve.controller.dashboard;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * This node's access logs ({@code <log dir>/access/<deployment>.log}, one JSON line per request its
 * ingress received, written when {@code access_log = true}) read back through {@link LogTail}.
 * Served on the node's ingress at {@code /-/requests/<deployment>}, which is how the head shows a
 * deployment's requests received by every node.
 */
public final class RequestLogs {
    private final Path dir;

    public RequestLogs(Path dir) {
        this.dir = dir;
    }

    /** The access log directory under a node's log directory. */
    public static RequestLogs under(Path logDir) {
        return new RequestLogs(logDir.resolve("access"));
    }

    /**
     * @param from  byte offset returned by an earlier call, or a negative number for the tail
     * @param lines how many lines the tail has (ignored when following from an offset)
     */
    LogTail.Tail read(String deployment, long from, int lines) throws IOException {
        if (!LogTail.isFileName(deployment)) {
            throw new IllegalArgumentException("not a deployment name: " + deployment);
        }
        return LogTail.read(dir.resolve(deployment + ".log"), from, lines);
    }

    /** Registers {@code GET /-/requests/<deployment>?lines=N&from=OFFSET} on a node's ingress. */
    public void register(Javalin app) {
        app.get("/-/requests/{deployment}", this::serve);
    }

    private void serve(Context ctx) throws IOException {
        String deployment = ctx.pathParam("deployment");
        if (!LogTail.isFileName(deployment)) {
            ReplicaLogs.json(ctx, 400, Map.of("status", 0, "error", "not a deployment name: " + deployment));
            return;
        }
        ReplicaLogs.Query query = ReplicaLogs.Query.of(ctx.queryParam("lines"), ctx.queryParam("from"));
        if (query.error() != null) {
            ReplicaLogs.json(ctx, 400, Map.of("status", 0, "error", query.error()));
            return;
        }
        ReplicaLogs.json(ctx, 200, read(deployment, query.from(), query.lines()));
    }
}
