package io.modelserve.agent.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.runtime.ChunkSource;
import io.modelserve.cluster.PooledJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stream running on another node, fetched from its {@code GET /-/stream/<id>} (newline-delimited
 * JSON, as {@link ChunkStreamWriter} writes it). A virtual thread reads the lines so that
 * {@link #next} waits with a bound; {@link #cancel()} closes the connection, and the other node's
 * failed write cancels the backend there.
 */
public final class RemoteChunkSource implements ChunkSource {
    private static final ObjectMapper JSON = PooledJson.mapper();
    // One stream is one long response: a connection of its own, not one of the forwarding pool's.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String node;
    private final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile InputStream body;
    private volatile boolean cancelled;

    public RemoteChunkSource(String url, String clusterSecret, String node) {
        this.node = node;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (!clusterSecret.isEmpty()) {
            request.header(ReplicaEndpoint.SECRET_HEADER, clusterSecret);
        }
        Thread.ofVirtual().name("stream-from-" + node).start(() -> read(request.build()));
    }

    private void read(HttpRequest request) {
        try {
            HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            if (cancelled) {
                body.close();
                return;
            }
            if (response.statusCode() != 200) {
                items.add(new Failed("the stream on " + node + " is gone (" + response.statusCode() + ")"));
                body.close();
                return;
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode item = JSON.readTree(line);
                    if (item.path("status").asInt() != 1) {
                        items.add(new Failed(item.path("error").asText("the stream on " + node + " failed")));
                        return;
                    }
                    if (item.path("done").asBoolean()) {
                        items.add(END);
                        return;
                    }
                    JsonNode chunk = item.get("chunk");
                    items.add(chunk == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : chunk);
                }
            }
            items.add(new Failed("the stream from " + node + " ended before it finished"));
        } catch (IOException | RuntimeException e) {
            items.add(new Failed("the stream from " + node + " broke: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            items.add(new Failed("interrupted"));
        }
    }

    @Override
    public Object next(long timeoutMillis) throws InterruptedException {
        return items.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void cancel() {
        cancelled = true;
        InputStream open = body;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
    }
}
