package io.modelserve.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.modelserve.agent.runtime.ChunkSource;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a streamed answer as it comes: one {@code {"status":1,"chunk":...}} per chunk, then
 * {@code {"status":1,"done":true,"info":...}} or {@code {"status":0,"error":...}}; as Server-Sent
 * Events ({@code data: <json>} and a blank line) or as newline-delimited JSON. Each item is flushed at
 * once. A write that fails means the client is gone: the source is cancelled, so the backend stops.
 */
public final class ChunkStreamWriter {
    /** On a forwarded request: the caller can pass a stream on. On a response: this answer is a stream. */
    public static final String STREAM_HEADER = "X-Modelserve-Stream";
    static final String SSE = "text/event-stream";
    static final String NDJSON = "application/x-ndjson";
    private static final ObjectMapper JSON = PooledJson.mapper();

    private ChunkStreamWriter() {}

    /** Server-Sent Events when the client asks for them, newline-delimited JSON otherwise. */
    public static boolean wantsEvents(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains(SSE);
    }

    /**
     * @param gapMillis the longest wait for the next chunk ({@code timeout_ms}); beyond it the stream
     *                  ends with an error and the backend is cancelled
     * @return whether the stream ended as the backend meant (done or its error), not cut off
     */
    public static boolean write(Context ctx, ChunkSource source, boolean events, String info, long gapMillis, String deployment) {
        ctx.status(200);
        ctx.res().setContentType(events ? SSE + ";charset=utf-8" : NDJSON);
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader(STREAM_HEADER, "1");
        try {
            OutputStream out = ctx.res().getOutputStream();
            while (true) {
                Object item = source.next(gapMillis);
                if (item == null) {
                    source.cancel();
                    send(out, events, error(deployment + " sent no chunk within timeout_ms = " + gapMillis));
                    return false;
                }
                if (item == ChunkSource.END) {
                    send(out, events, JsonNodeFactory.instance.objectNode().put("status", 1).put("done", true).put("info", info));
                    return true;
                }
                if (item instanceof ChunkSource.Failed failed) {
                    send(out, events, error(failed.message()));
                    return true;
                }
                ObjectNode chunk = JsonNodeFactory.instance.objectNode().put("status", 1);
                try {
                    chunk.set("chunk", JSON.valueToTree(item));
                } catch (IllegalArgumentException e) {
                    source.cancel();
                    send(out, events, error("a chunk of " + deployment + " is not JSON-serialisable: " + e.getMessage()));
                    return false;
                }
                send(out, events, chunk);
            }
        } catch (IOException e) {
            source.cancel(); // the client went away
            return false;
        } catch (InterruptedException e) {
            source.cancel();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ObjectNode error(String message) {
        return JsonNodeFactory.instance.objectNode().put("status", 0).put("error", message);
    }

    private static void send(OutputStream out, boolean events, ObjectNode item) throws IOException {
        byte[] json = JSON.writeValueAsBytes(item);
        if (events) {
            out.write("data: ".getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(json);
            out.write('\n');
        }
        out.flush();
    }
}
