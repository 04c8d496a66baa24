package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The CLI's side of the head's admin API, the only way the CLI reaches a cluster. A standby answers
 * an apply with 307 and the leader's address; the request is sent there once (with the same token),
 * never further, and only to another http address.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** An answer from the head: HTTP status and JSON body, and where it redirects to, if it does. */
    record Answer(int status, JsonNode body, String location, int retryAfterSeconds) {
        Answer(int status, JsonNode body) {
            this(status, body, null, 0);
        }
    }

    /** How long an apply waits for a head to lead (a standby takes over within a few seconds). */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

    AdminClient(String hostPort, String token) {
        this.base = "http://" + hostPort;
        this.token = token == null ? "" : token;
    }

    String base() {
        return base;
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET());
    }

    Answer post(String path, Object body) throws IOException, InterruptedException {
        byte[] json = JSON.writeValueAsBytes(body);
        Answer answer = send(postTo(URI.create(base + path), json));
        // While leadership changes hands (a head died, its standby has not confirmed the lease yet) the
        // head answers 503 + Retry-After: wait for a leader for a bounded time instead of failing.
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        boolean said = false;
        while (answer.status() == 503 && answer.retryAfterSeconds() > 0 && System.nanoTime() < deadline) {
            if (!said) {
                System.err.println("(" + base + ": " + answer.body().path("error").asText("no leader now")
                        + "; waiting for a leader)");
                said = true;
            }
            Thread.sleep(Duration.ofSeconds(Math.min(answer.retryAfterSeconds(), 5)));
            answer = send(postTo(URI.create(base + path), json));
        }
        String location = answer.status() == 307 || answer.status() == 308 ? answer.location() : null;
        if (location == null || !location.startsWith("http://")) {
            return answer;
        }
        System.err.println("(" + base + " is a standby; sending to the leader at " + location + ")");
        return send(postTo(URI.create(location), json));
    }

    private static HttpRequest.Builder postTo(URI uri, byte[] json) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        int retryAfter;
        try {
            retryAfter = Integer.parseInt(response.headers().firstValue("Retry-After").orElse("0").strip());
        } catch (NumberFormatException e) {
            retryAfter = 0;
        }
        return new Answer(response.statusCode(), body, response.headers().firstValue("Location").orElse(null),
                Math.max(0, retryAfter));
    }
}
