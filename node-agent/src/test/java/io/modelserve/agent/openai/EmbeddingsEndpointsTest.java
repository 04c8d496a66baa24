package io.modelserve.agent.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.TextEmbedder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpenAI's embeddings API over a real socket, in front of a plugin that declares it embeds text
 * ({@link TextEmbedder}), its canary, and a plain plugin that does not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingsEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Vector [length, words, version] per text, so an answer shows which text and version it is. */
    static final class LengthEmbedder implements TextEmbedder {
        final List<Integer> callSizes = new CopyOnWriteArrayList<>();
        private final float version;

        LengthEmbedder(float version) {
            this.version = version;
        }

        @Override
        public void init(BackendContext context) {}

        @Override
        public Object inference(Request request) {
            return "route";
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            callSizes.add(texts.size());
            return texts.stream().map(t -> new float[] {t.length(), tokens(t), version}).toList();
        }
    }

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicaFixture fixture = new ReplicaFixture(meters);
    private final HttpClient http = HttpClient.newHttpClient();
    private final LengthEmbedder main = new LengthEmbedder(1);
    private final ScriptedBackend plain = new ScriptedBackend(request -> "plain " + request.contentType());
    private Ingress ingress;

    @BeforeAll
    void start() {
        DeploymentSpec embedder = Specs.deployment("Embed").build();
        DeploymentSpec canary = Specs.deployment("Embed@v2").build().withRouteOf(embedder).withTraffic(0);
        DeploymentSpec other = Specs.deployment("Plain").build();
        RouteTable routes = new RouteTable();
        routes.update(List.of(embedder, canary, other));
        Map<String, List<Replica>> replicas = Map.of(
                "Embed", List.of(fixture.running(embedder, "embed-1", main)),
                "Embed@v2", List.of(fixture.running(canary, "embed-v2-1", new LengthEmbedder(2))),
                "Plain", List.of(fixture.running(other, "plain-1", plain)));
        ReplicaDirectory directory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return replicas.getOrDefault(deployment, List.of());
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }
        };
        ReplicaRouter router = new ReplicaRouter(directory);
        Ingress[] started = new Ingress[1];
        RequestBodies bodies = RequestBodies.of(1 << 20);
        ingress = new Ingress("node-a", routes, router, meters, bodies, () -> Map.of("status", "ok"),
                List.of(new EmbeddingsEndpoints(routes, router, bodies,
                        (spec, replica, status, nanos) -> started[0].record(spec, replica, status, nanos))))
                .start("127.0.0.1", 0);
        started[0] = ingress;
    }

    @AfterAll
    void stop() {
        ingress.close();
        fixture.close();
    }

    @Test
    void aListIsOneEmbedCallWithUsage() throws Exception {
        JsonNode answer = ok(post("{\"model\":\"Embed\",\"input\":[\"one two\",\"three\"]}", null));
        assertThat(answer.get("object").asText()).isEqualTo("list");
        assertThat(answer.get("model").asText()).isEqualTo("Embed");
        assertThat(answer.at("/data/0/object").asText()).isEqualTo("embedding");
        assertThat(answer.at("/data/1/index").asInt()).isEqualTo(1);
        assertThat(answer.at("/data/0/embedding").toString()).isEqualTo("[7.0,2.0,1.0]");
        assertThat(answer.at("/data/1/embedding").toString()).isEqualTo("[5.0,1.0,1.0]");
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(answer.at("/usage/total_tokens").asInt()).isEqualTo(3);
        assertThat(main.callSizes).contains(2);
        assertThat(meters.scrape()).contains("deployment=\"Embed\",node=\"node-a\",replica=\"embed-1\",status=\"200\"");
    }

    @Test
    void base64IsLittleEndianFloat32() throws Exception {
        JsonNode answer = ok(post("{\"model\":\"Embed\",\"input\":\"abc\",\"encoding_format\":\"base64\"}", null));
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(answer.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(12);
        assertThat(new float[] {bytes.getFloat(), bytes.getFloat(), bytes.getFloat()}).containsExactly(3f, 1f, 1f);
    }

    @Test
    void theVersionHeaderPinsACanary() throws Exception {
        JsonNode answer = ok(post("{\"model\":\"Embed\",\"input\":\"x\"}", "v2"));
        assertThat(answer.at("/data/0/embedding/2").asDouble()).isEqualTo(2.0);
    }

    @Test
    void onlyDeploymentsThatEmbedAreModels() throws Exception {
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(uri("/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode list = JSON.readTree(models.body());
        assertThat(list.path("data").findValuesAsText("id")).containsExactly("Embed");
        assertThat(list.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(http.send(HttpRequest.newBuilder(uri("/v1/models/Plain")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);

        JsonNode error = error(post("{\"model\":\"Plain\",\"input\":\"x\"}", null), 404);
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("param").asText()).isEqualTo("model");
        // The plain plugin was asked whether it embeds (answered by the runtime), never called.
        assertThat(plain.requests()).isEmpty();
    }

    @Test
    void badInputIsOpenAisErrorShape() throws Exception {
        assertThat(error(post("{\"model\":\"Embed\",\"input\":[1,2]}", null), 400).path("message").asText())
                .contains("token arrays are not supported");
        assertThat(error(post("{\"model\":\"Embed\",\"input\":[]}", null), 400).path("param").asText()).isEqualTo("input");
        assertThat(error(post("{\"model\":\"Embed\",\"input\":\"x\",\"encoding_format\":\"int8\"}", null), 400)
                .path("param").asText()).isEqualTo("encoding_format");
        JsonNode malformed = error(post("{\"model\":", null), 400);
        assertThat(malformed.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(malformed.has("param")).isTrue();
    }

    private JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").isTextual()).isTrue();
        assertThat(error.path("type").isTextual()).isTrue();
        return error;
    }

    private HttpResponse<String> post(String body, String version) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/embeddings")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (version != null) {
            request.header(Ingress.VERSION_HEADER, version);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + ingress.port() + path);
    }
}
