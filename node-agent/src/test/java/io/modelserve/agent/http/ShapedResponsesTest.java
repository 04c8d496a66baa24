package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.agent.transport.Forwarder;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.agent.transport.ReplicaEndpoint;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plugins that shape their answers, over real sockets: a front node whose ingress serves wildcard
 * routes from a replica of its own ({@code /here/*}) and from a replica on a second node reached
 * through the forwarder ({@code /there/*}); each test runs against both, so what crosses the hop
 * (status, headers, raw bytes, sub-path, the 4xx) is checked byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShapedResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, (byte) 0xff};

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicaFixture fixture = new ReplicaFixture(meters);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private Ingress peer;
    private Ingress front;

    /** Answers by sub-path: what a plugin may answer. */
    private static Object shape(io.modelserve.sdk.Request request) {
        return switch (request.subPath()) {
            case "png" -> Response.bytes(PNG, "image/png").withHeader("X-Rendered-By", "shape").withHeader("Cache-Control", "no-store");
            case "bad" -> throw new InvalidRequestException("input 'text' is missing");
            case "teapot" -> throw new InvalidRequestException(418, "no coffee here");
            case "missing" -> Response.bytes("<h1>no such page</h1>".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "text/html").withStatus(404);
            case "broken" -> Response.bytes("engine on fire".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain")
                    .withStatus(500);
            case "created" -> Response.json(Map.of("id", 7)).withStatus(201).withHeader("Location", "/items/7");
            default -> Map.of("sub", request.subPath(), "text", request.params().path("text").asText());
        };
    }

    @BeforeAll
    void start() {
        DeploymentSpec here = Specs.deployment("here").route("here/*").build();
        DeploymentSpec there = Specs.deployment("there").route("there/*").build();
        DeploymentSpec bareHere = Specs.deployment("bare-here").route("bare-here/*").build().withBare(true);
        DeploymentSpec bareThere = Specs.deployment("bare-there").route("bare-there/*").build().withBare(true);
        Replica hereReplica = fixture.running(here, "here-1", new ScriptedBackend(ShapedResponsesTest::shape));
        Replica bareHereReplica = fixture.running(bareHere, "bare-here-1", new ScriptedBackend(ShapedResponsesTest::shape));
        Replica thereReplica = fixture.running(there, "there-1", new ScriptedBackend(ShapedResponsesTest::shape));
        Replica bareThereReplica = fixture.running(bareThere, "bare-there-1", new ScriptedBackend(ShapedResponsesTest::shape));

        Map<String, Replica> peerLocal = Map.of(thereReplica.id(), thereReplica, bareThereReplica.id(), bareThereReplica);
        ReplicaDirectory peerDirectory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return peerLocal.values().stream().filter(r -> r.assignment().spec().name().equals(deployment)).toList();
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }

            @Override
            public Optional<Replica> local(String replicaId) {
                return Optional.ofNullable(peerLocal.get(replicaId));
            }
        };
        ReplicaRouter peerRouter = new ReplicaRouter(peerDirectory);
        RequestBodies peerBodies = RequestBodies.of(1 << 20);
        peer = new Ingress("node-b", new RouteTable(), peerRouter, meters, peerBodies, () -> Map.of("status", "ok"),
                List.of(new ReplicaEndpoint("node-b", peerDirectory, peerRouter, "", peerBodies))).start("127.0.0.1", 0);
        String peerUrl = "http://127.0.0.1:" + peer.port();

        Map<String, Replica> frontLocal = Map.of("here", hereReplica, "bare-here", bareHereReplica);
        Map<String, RemoteReplica> frontRemote = Map.of(
                "there", new RemoteReplica(thereReplica.id(), "there", "node-b", peerUrl),
                "bare-there", new RemoteReplica(bareThereReplica.id(), "bare-there", "node-b", peerUrl));
        ReplicaDirectory frontDirectory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return Optional.ofNullable(frontLocal.get(deployment)).stream().toList();
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }

            @Override
            public List<RemoteReplica> remote(String deployment) {
                return Optional.ofNullable(frontRemote.get(deployment)).stream().toList();
            }
        };
        RouteTable routes = new RouteTable();
        routes.update(List.of(here, there, bareHere, bareThere));
        // A first-byte deadline far above any stall of a loaded build machine: not a test of frozen peers.
        ReplicaRouter frontRouter = new ReplicaRouter(frontDirectory, new Forwarder("", new PeerLiveness(), 30_000));
        front = new Ingress("node-a", routes, frontRouter, meters, RequestBodies.of(1 << 20), () -> Map.of("status", "ok"))
                .start("127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        front.close();
        peer.close();
        fixture.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"here", "there"})
    void theRestOfTheWildcardPathReachesThePlugin(String route) throws Exception {
        HttpResponse<byte[]> response = post("/" + route + "/scan/page-1", "{\"text\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asInt()).isEqualTo(1);
        assertThat(body.path("result")).isEqualTo(JSON.readTree("{\"sub\":\"scan/page-1\",\"text\":\"hi\"}"));
        assertThat(body.path("info").asText()).isEqualTo((route.equals("here") ? "node-a/" : "node-b/") + route + "-1");
        // The prefix itself is served too, with an empty sub-path.
        assertThat(JSON.readTree(post("/" + route, "{}").body()).path("result").path("sub").asText()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"here", "there"})
    void invalidRequestAnswersItsStatusAndMessageInTheEnvelope(String route) throws Exception {
        HttpResponse<byte[]> bad = post("/" + route + "/bad", "{}");
        HttpResponse<byte[]> teapot = post("/" + route + "/teapot", "{}");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).isEqualTo("{\"status\":0,\"error\":\"input 'text' is missing\"}");
        assertThat(teapot.statusCode()).isEqualTo(418);
        assertThat(JSON.readTree(teapot.body()).path("error").asText()).isEqualTo("no coffee here");
    }

    @ParameterizedTest
    @ValueSource(strings = {"here", "there"})
    void rawBytesComeBackAsTheyAreWithTheirTypeAndHeaders(String route) throws Exception {
        HttpResponse<byte[]> response = post("/" + route + "/png", "{}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(PNG);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(response.headers().firstValue("X-Rendered-By")).hasValue("shape");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @ParameterizedTest
    @ValueSource(strings = {"here", "there"})
    void aPluginsOwnErrorPageIsNotReplacedByAJsonError(String route) throws Exception {
        HttpResponse<byte[]> missing = post("/" + route + "/missing", "{}");
        HttpResponse<byte[]> broken = post("/" + route + "/broken", "{}");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(new String(missing.body())).isEqualTo("<h1>no such page</h1>");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(new String(broken.body())).isEqualTo("engine on fire");
    }

    @ParameterizedTest
    @ValueSource(strings = {"here", "there"})
    void aJsonResponseKeepsTheEnvelopeWithItsStatusAndHeaders(String route) throws Exception {
        HttpResponse<byte[]> response = post("/" + route + "/created", "{}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/items/7");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asInt()).isEqualTo(1);
        assertThat(body.path("result")).isEqualTo(JSON.readTree("{\"id\":7}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bare-here", "bare-there"})
    void withoutTheEnvelopeTheResultIsTheBodyAndErrorsAreJustTheError(String route) throws Exception {
        JsonNode result = JSON.readTree(post("/" + route + "/x", "{\"text\":\"hi\"}").body());
        assertThat(result).isEqualTo(JSON.readTree("{\"sub\":\"x\",\"text\":\"hi\"}"));

        HttpResponse<byte[]> created = post("/" + route + "/created", "{}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(new String(created.body())).isEqualTo("{\"id\":7}");

        HttpResponse<byte[]> bad = post("/" + route + "/bad", "{}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).isEqualTo("{\"error\":\"input 'text' is missing\"}");

        HttpResponse<byte[]> malformed = post("/" + route + "/x", "{not json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).fieldNames()).toIterable().containsExactly("error");

        assertThat(post("/" + route + "/png", "{}").body()).isEqualTo(PNG);
    }

    private HttpResponse<byte[]> post(String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
