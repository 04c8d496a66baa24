package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A streaming backend (examples/streaming, algopkg/Tokens.jar) behind a head started by
 * {@code bin/modelserve start}: newline-delimited JSON by default, Server-Sent Events on request,
 * chunks that arrive while the backend is still working, and a client that hangs up stopping it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingE2ETest {
    private static final String TOKENS = """
            [algopkg.Tokens]
            backend = io.modelserve.examples.streaming.Tokens
            cpu_cost = 0.1
            route = tokens
            timeout_ms = 120000
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    RunningHead head;
    RunningNode agent;

    /** The head has no room for replicas: the one replica runs on the agent, one hop from the head's ingress. */
    @BeforeAll
    void startCluster() throws Exception {
        java.nio.file.Path dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        workspace.writeConf("conf.ini", TOKENS);
        head = workspace.start("conf.ini", "--cpus", "0", "--gpus", "0");
        agent = RunningNode.agent(dir, workspace, head.nextAddress(), "--cpus", "2", "--gpus", "0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!head.adminStatus().path("converged").asBoolean() || head.adminStatus().at("/deployments/0/ready").asInt() < 1) {
            assertThat(System.nanoTime()).as("Tokens ready on the agent within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (head != null) {
            head.close();
        }
    }

    /** Where the request enters: the head (a hop to the agent's replica), or the agent itself (no hop). */
    enum Entry { HEAD, AGENT }

    private String entry(Entry entry) {
        return entry == Entry.HEAD ? head.bind : agent.bind;
    }

    /** A line as read, with when it was read. */
    record Arrival(String line, long atMillis) {}

    private HttpResponse<InputStream> open(Entry entry, String body, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + entry(entry) + ":" + head.port + "/tokens"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static List<Arrival> readAll(InputStream body) throws Exception {
        List<Arrival> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(new Arrival(line, System.currentTimeMillis()));
            }
        }
        return lines;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Entry.class)
    void newlineDelimitedJsonArrivesChunkByChunk(Entry entry) throws Exception {
        HttpResponse<InputStream> response = open(entry, "{\"n\":5,\"delay_ms\":300}", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        List<Arrival> lines = readAll(response.body());

        assertThat(lines).hasSize(6);
        List<JsonNode> items = new ArrayList<>();
        for (Arrival arrival : lines) {
            items.add(RunningHead.JSON.readTree(arrival.line()));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(items.get(i).path("status").asInt()).isEqualTo(1);
            assertThat(items.get(i).at("/chunk/token").asText()).isEqualTo("t" + i);
        }
        assertThat(items.get(5).path("done").asBoolean()).isTrue();
        // The replica runs on the agent: entering at the head, the stream crossed a hop.
        assertThat(items.get(5).path("info").asText()).startsWith("node-" + agent.bind + "/Tokens-");
        // Causal, not timed: the first token was in the client's hands before the backend emitted the last.
        long lastEmitted = items.get(4).at("/chunk/emitted_at_ms").asLong();
        assertThat(lines.getFirst().atMillis()).isLessThan(lastEmitted);
        assertThat(lines.getFirst().atMillis()).isLessThan(lines.get(4).atMillis());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Entry.class)
    void serverSentEventsWhenTheClientAsksForThem(Entry entry) throws Exception {
        HttpResponse<InputStream> response = open(entry, "{\"n\":3,\"delay_ms\":10}", "text/event-stream");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> lines = readAll(response.body()).stream().map(Arrival::line).toList();

        List<String> events = lines.stream().filter(l -> !l.isEmpty()).toList();
        assertThat(events).hasSize(4).allSatisfy(e -> assertThat(e).startsWith("data: {"));
        assertThat(lines).hasSize(8); // each event ends with a blank line
        assertThat(RunningHead.JSON.readTree(events.get(2).substring(6)).at("/chunk/token").asText()).isEqualTo("t2");
        assertThat(RunningHead.JSON.readTree(events.get(3).substring(6)).path("done").asBoolean()).isTrue();
    }

    @Test
    void aFailureBeforeTheFirstChunkIsAnOrdinaryJsonError() throws Exception {
        HttpResponse<String> response = head.post("/tokens", "{\"n\":-1}");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(response).path("error").asText()).contains("n must be in");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Entry.class)
    void aClientThatHangsUpStopsTheBackendsLoop(Entry entry) throws Exception {
        JsonNode before = stats();
        // A raw socket, so that hanging up is exactly a closed connection.
        String body = "{\"n\":100000,\"delay_ms\":20}";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(entry(entry), head.port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /tokens HTTP/1.1\r\nHost: " + head.bind + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int tokens = 0;
            String line;
            while (tokens < 3 && (line = in.readLine()) != null) {
                if (line.contains("\"token\"")) {
                    tokens++;
                }
            }
            assertThat(tokens).isEqualTo(3);
        }
        // The stats request queues behind the stream on the replica's one worker: it is answered once the loop stopped.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode after = stats();
        while (after.path("cancelled").asInt() == before.path("cancelled").asInt() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = stats();
        }
        assertThat(after.path("cancelled").asInt()).isEqualTo(before.path("cancelled").asInt() + 1);
        assertThat(after.path("finished").asInt()).isEqualTo(before.path("finished").asInt());
        assertThat(agent.log()).contains("stream cancelled after");
    }

    private JsonNode stats() throws Exception {
        HttpResponse<String> response = head.post("/tokens", "{\"stats\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return RunningHead.JSON.readTree(response.body().lines().findFirst().orElseThrow()).path("chunk");
    }
}
