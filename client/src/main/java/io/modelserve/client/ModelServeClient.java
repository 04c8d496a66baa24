package io.modelserve.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls the routes of a modelserve node (any node: each one routes to replicas anywhere).
 *
 * <pre>{@code
 * ModelServeClient client = ModelServeClient.connect("http://127.0.0.1:8000");
 * JsonNode embedding = client.call("embed", Map.of("text", "hello"));
 * client.callAsync("embed", Map.of("text", "hi")).thenAccept(System.out::println);
 *
 * InputQueue input = client.inputQueue("embed");            // Cluster Serving style
 * input.enqueue("doc-1", Map.of("text", "hello"));
 * OutputQueue output = client.outputQueue();
 * Optional<JsonNode> one = output.query("doc-1");           // empty while it is pending
 * Map<String, QueueResult> all = output.dequeue();          // everything finished, then forgotten
 * }</pre>
 *
 * Thread-safe; one instance per node is enough. Params are anything Jackson serialises (a
 * {@code Map}, a record, a {@code JsonNode}). Errors are {@link CallException}s carrying the HTTP status.
 */
public final class ModelServeClient {
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final QueueTickets tickets = new QueueTickets();

    private ModelServeClient(URI base, HttpClient http, Duration timeout) {
        this.base = base;
        this.http = http;
        this.timeout = timeout;
    }

    /** A client for the node at {@code baseUrl} (e.g. {@code http://host:8000}), with a 60 s request timeout. */
    public static ModelServeClient connect(String baseUrl) {
        return connect(URI.create(baseUrl), Duration.ofSeconds(60));
    }

    /**
     * @param requestTimeout how long to wait for one answer; keep it above the route's {@code timeout_ms},
     *                       so that the server's 504 arrives rather than a client-side timeout
     */
    public static ModelServeClient connect(URI baseUrl, Duration requestTimeout) {
        String text = baseUrl.toString();
        URI base = URI.create(text.endsWith("/") ? text : text + "/");
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("a modelserve node is reached over http(s), e.g. http://host:8000; got " + baseUrl);
        }
        // HTTP/1.1: the ingress speaks it, and it skips the h2c upgrade dance on every new connection.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new ModelServeClient(base, http, requestTimeout);
    }

    /** POSTs {@code params} as JSON to {@code /<route>} and returns the {@code result} of the answer. */
    public JsonNode call(String route, Object params) throws CallException, InterruptedException {
        return join(callAsync(route, params));
    }

    /** POSTs a raw body (an image, audio, ...) to {@code /<route>} and returns the {@code result}. */
    public JsonNode call(String route, byte[] body, String contentType) throws CallException, InterruptedException {
        return join(callAsync(route, body, contentType));
    }

    /** Like {@link #call(String, Object)}, without waiting; the future fails with a {@link CallException}. */
    public CompletableFuture<JsonNode> callAsync(String route, Object params) {
        return send(post(routeUri(route), params), response -> Answer.result(response.statusCode(),
                retryAfter(response), response.body()));
    }

    /** Like {@link #call(String, byte[], String)}, without waiting; the future fails with a {@link CallException}. */
    public CompletableFuture<JsonNode> callAsync(String route, byte[] body, String contentType) {
        return send(post(routeUri(route), body, contentType), response -> Answer.result(response.statusCode(),
                retryAfter(response), response.body()));
    }

    /** The producer side of the async queue for one route ({@code POST /-/queue/<route>}). */
    public InputQueue inputQueue(String route) {
        return new InputQueue(this, route, tickets);
    }

    /** The consumer side of the async queue ({@code GET /-/result/<id>}), for everything enqueued through this client. */
    public OutputQueue outputQueue() {
        return new OutputQueue(this, tickets);
    }

    // --- what the queues use ---

    String enqueue(String route, byte[] body, String contentType) throws CallException, InterruptedException {
        return join(send(post(base.resolve("-/queue/" + path(route)), body, contentType), response ->
                Answer.receipt(response.statusCode(), retryAfter(response), response.body())));
    }

    QueueResult result(String id) throws CallException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("-/result/" + URLEncoder.encode(id, StandardCharsets.UTF_8)))
                .timeout(timeout).GET().build();
        return join(send(request, response -> Answer.queued(response.statusCode(), response.body())));
    }

    // --- plumbing ---

    @FunctionalInterface
    private interface Reader<T> {
        T read(HttpResponse<String> response) throws CallException;
    }

    private <T> CompletableFuture<T> send(HttpRequest.Builder request, Reader<T> reader) {
        return send(request.timeout(timeout).build(), reader);
    }

    private <T> CompletableFuture<T> send(HttpRequest request, Reader<T> reader) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw new CompletionException(new CallException(request.method() + " " + request.uri() + " failed: " + cause, cause));
            }
            try {
                return reader.read(response);
            } catch (CallException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static HttpRequest.Builder post(URI uri, Object params) {
        return post(uri, json(params), "application/json");
    }

    private static HttpRequest.Builder post(URI uri, byte[] body, String contentType) {
        return HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    static byte[] json(Object params) {
        try {
            return Answer.JSON.writeValueAsBytes(params == null ? Answer.JSON.createObjectNode() : params);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("params are not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }

    private URI routeUri(String route) {
        return base.resolve(path(route));
    }

    /** {@code "/lang/legacy"} and {@code "lang/legacy"} are the same route; each segment is URL-encoded. */
    private static String path(String route) {
        String trimmed = route.strip().replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty() || trimmed.startsWith("-/")) {
            throw new IllegalArgumentException("not a route: '" + route + "'");
        }
        StringBuilder path = new StringBuilder();
        for (String segment : trimmed.split("/+")) {
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }

    private static String retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").orElse(null);
    }

    static <T> T join(CompletableFuture<T> future) throws CallException, InterruptedException {
        try {
            return future.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof CallException call) {
                throw call;
            }
            throw new CallException("call failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "ModelServeClient[" + base + "]";
    }
}
