package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP contract of SPEC §4, over a real socket: a real Ingress on 127.0.0.1, real replicas of
 * fake backends behind it, java.net.http as the client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY_BYTES = 1024;

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicaFixture fixture = new ReplicaFixture(meters);
    private final Map<String, List<Replica>> replicas = new ConcurrentHashMap<>();
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    private Ingress ingress;

    @BeforeAll
    void start() {
        DeploymentSpec echo = Specs.deployment("echo").methods("POST").build();
        DeploymentSpec lookup = Specs.deployment("lookup").route("v1/lookup").methods("GET", "POST").build();
        DeploymentSpec boom = Specs.deployment("boom").build();
        DeploymentSpec opaque = Specs.deployment("opaque").build();
        DeploymentSpec slow = Specs.deployment("slow").timeoutMs(100).build();
        DeploymentSpec idle = Specs.deployment("idle").build(); // routed, but no replica
        RouteTable routes = new RouteTable();
        routes.update(List.of(echo, lookup, boom, opaque, slow, idle));

        replicas.put("echo", List.of(fixture.running(echo, "echo-1", new ScriptedBackend(request -> Map.of(
                "params", request.params(),
                "contentType", request.contentType(),
                "headers", request.headers(),
                "bodyBytes", request.body().length)))));
        replicas.put("lookup", List.of(fixture.running(lookup, "lookup-1", ScriptedBackend.upperCase())));
        replicas.put("boom", List.of(fixture.running(boom, "boom-1", new ScriptedBackend(request -> {
            throw new IllegalStateException("model exploded", new ArithmeticException("NaN in layer 3"));
        }))));
        replicas.put("opaque", List.of(fixture.running(opaque, "opaque-1", new ScriptedBackend(request -> new Object()))));
        replicas.put("slow", List.of(fixture.running(slow, "slow-1", new ScriptedBackend(request -> {
            slowRelease.await(60, TimeUnit.SECONDS);
            return "too late";
        }))));

        ReplicaDirectory directory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return replicas.getOrDefault(deployment, List.of()).stream()
                        .filter(r -> r.phase() == Replica.Phase.RUNNING).toList();
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }
        };
        ingress = new Ingress("node-a", routes, new ReplicaRouter(directory), meters, io.modelserve.agent.memory.RequestBodies.of(MAX_BODY_BYTES),
                () -> Map.of("status", "ok", "node", "node-a")).start("127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        slowRelease.countDown();
        ingress.close();
        fixture.close();
    }

    @Test
    void servedRequestIsWrappedInTheEnvelope() throws Exception {
        HttpResponse<String> response = post("/echo?lang=en", "{\"text\":\"hi\"}", "application/json");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(1);
        assertThat(body.get("info").asText()).isEqualTo("node-a/echo-1");
        assertThat(body.path("result").path("params")).isEqualTo(JSON.readTree("{\"text\":\"hi\",\"lang\":\"en\"}"));
        assertThat(body.has("error")).isFalse();
        // The field order of SPEC §4, for humans reading curl output.
        assertThat(response.body()).startsWith("{\"status\":1,\"result\":");
    }

    /**
     * Over a raw socket, since java.net.http refuses to send Connection itself: the plugin sees the
     * client's headers but not the connection's, nor modelserve's own (a cluster secret a client sends
     * to a route must not reach a plugin).
     */
    @Test
    void thePluginSeesTheClientsHeadersButNotTheConnectionsNorModelservesOwn() throws Exception {
        String body = "{\"text\":\"hi\"}";
        String request = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close, X-Hop\r\nX-Hop: for the next hop only\r\n"
                + "Keep-Alive: timeout=5\r\nX-Request-Id: abc\r\nAccept: text/plain\r\nAccept: application/json\r\n"
                + "Authorization: Bearer users-own\r\nX-Modelserve-Cluster-Secret: s3cret\r\n\r\n" + body;
        String answer;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", ingress.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        assertThat(answer).startsWith("HTTP/1.1 200");
        JsonNode headers = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).at("/result/headers");
        assertThat(headers.path("x-request-id").asText()).isEqualTo("abc");
        assertThat(headers.path("accept").asText()).as("a repeated header, joined").isEqualTo("text/plain, application/json");
        assertThat(headers.path("authorization").asText()).as("the user's own credential for their model").isEqualTo("Bearer users-own");
        assertThat(headers.path("content-type").asText()).isEqualTo("application/json");
        assertThat(headers.path("host").asText()).isEqualTo("127.0.0.1");
        List<String> names = new java.util.ArrayList<>();
        headers.fieldNames().forEachRemaining(names::add);
        assertThat(names).doesNotContain("connection", "x-hop", "keep-alive", "x-modelserve-cluster-secret");
    }

    @Test
    void curlStyleFormPostOfJsonIsServed() throws Exception {
        HttpResponse<String> response = post("/echo", "{\"text\":\"hi\"}", "application/x-www-form-urlencoded");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("result").path("params").path("text").asText()).isEqualTo("hi");
    }

    @Test
    void binaryBodyReachesThePluginRaw() throws Exception {
        byte[] image = new byte[300];
        image[0] = (byte) 0x89;
        HttpRequest request = HttpRequest.newBuilder(uri("/echo?topN=2")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body()).path("result");
        assertThat(result.path("bodyBytes").asInt()).isEqualTo(300);
        assertThat(result.path("contentType").asText()).isEqualTo("image/png");
        assertThat(result.path("params")).isEqualTo(JSON.readTree("{\"topN\":\"2\"}"));
    }

    @Test
    void getWithQueryOnANestedRoute() throws Exception {
        HttpResponse<String> response = get("/v1/lookup?text=abc");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":1,\"result\":\"ABC\",\"info\":\"node-a/lookup-1\"}");
    }

    @Test
    void unknownRouteIs404Json() throws Exception {
        HttpResponse<String> response = post("/nope", "{}", "application/json");

        assertError(response, 404, "no route /nope; see /-/routes");
    }

    @Test
    void unknownReservedEndpointIs404Json() throws Exception {
        HttpResponse<String> response = get("/-/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("/-/healthz");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> response = get("/echo");

        assertError(response, 405, "method GET not allowed on /echo; allowed: POST");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void malformedJsonIs400() throws Exception {
        HttpResponse<String> response = post("/echo", "{\"text\": ", "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).startsWith("malformed JSON body: ");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = post("/echo", "x".repeat((int) MAX_BODY_BYTES + 1), "text/plain");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).path("error").asText())
                .contains("the limit is 1024 bytes").contains("max_body_bytes");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        // No Content-Length: the limit must hold while reading, too.
        byte[] body = new byte[(int) MAX_BODY_BYTES * 2];
        HttpRequest request = HttpRequest.newBuilder(uri("/echo")).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void bodyAtTheLimitIsServed() throws Exception {
        HttpResponse<String> response = post("/echo", "x".repeat((int) MAX_BODY_BYTES), "text/plain");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void backendExceptionIs500WithTheMessageOnly() throws Exception {
        HttpResponse<String> response = post("/boom", "{}", "application/json");

        assertError(response, 500, "model exploded (caused by ArithmeticException: NaN in layer 3)");
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("java.lang.");
    }

    @Test
    void resultThatIsNotJsonIs500SayingSo() throws Exception {
        HttpResponse<String> response = post("/opaque", "{}", "application/json");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("opaque is not JSON-serialisable");
    }

    @Test
    void noReplicaIs503WithRetryAfter() throws Exception {
        HttpResponse<String> response = post("/idle", "{}", "application/json");

        assertError(response, 503, "no replica of idle is ready; see `modelserve status`");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void slowBackendIs504() throws Exception {
        HttpResponse<String> response = post("/slow", "{}", "application/json");

        assertError(response, 504, "slow did not answer within timeout_ms = 100");
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void healthzAnswersJson() throws Exception {
        HttpResponse<String> response = get("/-/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"status\":\"ok\",\"node\":\"node-a\"}"));
    }

    @Test
    void routesListsEveryRouteWithItsDeploymentAndMethods() throws Exception {
        HttpResponse<String> response = get("/-/routes");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode routes = JSON.readTree(response.body());
        assertThat(routes.path("/v1/lookup")).isEqualTo(JSON.readTree("{\"deployment\":\"lookup\",\"methods\":[\"GET\",\"POST\"]}"));
        assertThat(routes.path("/echo").path("deployment").asText()).isEqualTo("echo");
        assertThat(routes.size()).isEqualTo(6);
    }

    @Test
    void metricsArePrometheusTextWithRequestCounts() throws Exception {
        assertThat(post("/echo", "{}", "application/json").statusCode()).isEqualTo(200);

        HttpResponse<String> response = get("/-/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(response.body()).contains("modelserve_requests")
                .containsPattern("modelserve_requests_seconds_count\\{[^}]*deployment=\"echo\"[^}]*status=\"200\"");
    }

    @Test
    void timersOfReplicasThatAreGoneAreDroppedWithTheirSeries() throws Exception {
        assertThat(post("/echo", "{}", "application/json").statusCode()).isEqualTo(200);
        assertThat(post("/v1/lookup", "{\"text\":\"a\"}", "application/json").statusCode()).isEqualTo(200);
        String echoSeries = "modelserve_requests_seconds_count\\{[^}]*replica=\"echo-1\"";
        String lookupSeries = "modelserve_requests_seconds_count\\{[^}]*replica=\"lookup-1\"";
        assertThat(meters.scrape()).containsPattern(echoSeries).containsPattern(lookupSeries);

        ingress.retainReplicaTimers(java.util.Set.of("lookup-1"));

        assertThat(meters.scrape()).doesNotContainPattern(echoSeries).containsPattern(lookupSeries);
        int kept = ingress.timerCount();
        assertThat(post("/echo", "{}", "application/json").statusCode()).isEqualTo(200);
        assertThat(ingress.timerCount()).isEqualTo(kept + 1);
    }

    @Test
    void aSmallAnswerIsSentWithItsLengthAndALargeOneAsBefore() throws Exception {
        HttpResponse<String> small = post("/echo", "{}", "application/json");

        assertThat(small.headers().firstValue("Content-Length")).hasValue(String.valueOf(small.body().getBytes(
                java.nio.charset.StandardCharsets.UTF_8).length));
        assertThat(JSON.readTree(small.body()).path("status").asInt()).isEqualTo(1);
    }

    private void assertError(HttpResponse<String> response, int status, String message) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.createObjectNode().put("status", 0).put("error", message));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void http2ByUpgradeBesideHttp1() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // java.net.http asks for h2c with "Upgrade: h2c" on an http:// URI.
        HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(uri("/v1/lookup?text=up")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upgraded.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(upgraded.body()).path("result").asText()).isEqualTo("UP");
        HttpResponse<String> next = h2.send(HttpRequest.newBuilder(uri("/echo")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"text\":\"again\"}")).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(next.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(JSON.readTree(next.body()).at("/result/params/text").asText()).isEqualTo("again");
        HttpResponse<String> missing = h2.send(HttpRequest.newBuilder(uri("/nowhere")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).path("status").asInt()).isZero();
    }

    /** h2load (Debian nghttp2-client) speaks HTTP/2 with prior knowledge on http:// URIs. */
    @Test
    void h2loadWithPriorKnowledgeHasNoFailures() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/h2load")),
                "h2load missing: apt-get install nghttp2-client (.ci/run does)");
        java.nio.file.Path body = java.nio.file.Files.createTempFile("h2load", ".json");
        java.nio.file.Files.writeString(body, "{\"text\":\"h2\"}");
        try {
            for (List<String> run : List.of(
                    List.of("h2load", "-n", "200", "-c", "4", "-m", "8", uri("/v1/lookup?text=h2").toString()),
                    List.of("h2load", "-n", "200", "-c", "4", "-m", "8", "-d", body.toString(),
                            "-H", "Content-Type: application/json", uri("/echo").toString()))) {
                Process h2load = new ProcessBuilder(run).redirectErrorStream(true).start();
                assertThat(h2load.waitFor(120, TimeUnit.SECONDS)).as("h2load finished").isTrue();
                String report = new String(h2load.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(h2load.exitValue()).as(report).isZero();
                assertThat(report).as(report).contains("Application protocol: h2c")
                        .contains("200 succeeded, 0 failed, 0 errored").contains("status codes: 200 2xx");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(body);
        }
    }

    private HttpResponse<String> post(String path, String body, String contentType) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + ingress.port() + path);
    }
}
