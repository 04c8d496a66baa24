package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.testing.TensorNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Open Inference Protocol's REST endpoints over a real socket, in front of replicas of a fake
 * tensor model ({@link TensorNode}). The binary tensor data extension is exercised with bodies built
 * byte by byte as its text describes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenInferenceHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TensorNode node;
    private PrometheusMeterRegistry meters;

    @BeforeAll
    void start() {
        node = new TensorNode();
        meters = node.meters;
    }

    @AfterAll
    void stop() {
        node.close();
    }

    @Test
    void aCanaryIsAVersionOfItsModel() throws Exception {
        JsonNode metadata = ok(get("/v2/models/Sums"));
        assertThat(metadata.get("versions").toString()).isEqualTo("[\"main\",\"v2\"]");
        assertThat(metadata.at("/inputs/0/name").asText()).isEqualTo("x");
        assertThat(ok(get("/v2/models/Sums/versions/v2")).get("name").asText()).isEqualTo("Sums");
        assertThat(ok(get("/v2/models/Sums/versions/v2/ready")).get("ready").asBoolean()).isTrue();
        assertThat(ok(get("/v2/models/Sums/ready")).get("ready").asBoolean()).isTrue();

        assertThat(error(get("/v2/models/Sums@v2"), 404)).contains("/v2/models/Sums/versions/v2");
        assertThat(error(get("/v2/models/Sums/versions/v3"), 404)).contains("versions: main, v2");
        // A plugin declares its signature in code (TensorModel): with no replica running, none can say it yet.
        assertThat(error(get("/v2/models/Plugin"), 503)).contains("no replica of Plugin is ready to declare its tensor signature");
    }

    @Test
    void metadataAnswersWithoutAReadyReplica() throws Exception {
        JsonNode metadata = ok(get("/v2/models/Idle"));
        assertThat(metadata.get("name").asText()).isEqualTo("Idle");
        assertThat(metadata.get("versions").toString()).isEqualTo("[\"main\"]");
        assertThat(metadata.get("inputs").isArray()).isTrue();
        HttpResponse<String> ready = get("/v2/models/Idle/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isFalse();
    }

    @Test
    void inferNamesTheVersionAndEchoesTheIdAsGiven() throws Exception {
        String body = "{\"id\":42,\"parameters\":{\"priority\":1},\"inputs\":["
                + "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":[[1,2,3],[4,5,6]]},"
                + "{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[7,8]}]}";
        JsonNode main = ok(post("/v2/models/Sums/infer", body));
        assertThat(main.get("model_name").asText()).isEqualTo("Sums");
        assertThat(main.get("model_version").asText()).isEqualTo("main");
        assertThat(main.get("id").isNumber()).isTrue();
        assertThat(main.get("id").asInt()).isEqualTo(42);
        assertThat(main.at("/outputs/0/data").toString()).isEqualTo("[6.0,15.0]");

        JsonNode pinned = ok(post("/v2/models/Sums/versions/v2/infer", body.replace("42", "\"req-7\"")));
        assertThat(pinned.get("model_name").asText()).isEqualTo("Sums");
        assertThat(pinned.get("model_version").asText()).isEqualTo("v2");
        assertThat(pinned.get("id").asText()).isEqualTo("req-7");

        String metrics = meters.scrape();
        assertThat(metrics).contains("modelserve_requests_seconds_count{deployment=\"Sums\",node=\"node-a\",replica=\"sums-1\",status=\"200\"}");
        assertThat(metrics).contains("deployment=\"Sums@v2\",node=\"node-a\",replica=\"sums-v2-1\",status=\"200\"");
    }

    @Test
    void aBodyRefusedBeforeRoutingIsCountedUnderTheModelItNamed() throws Exception {
        HttpResponse<String> broken = post("/v2/models/Sums/infer", "{\"inputs\": [");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).get("error").asText()).startsWith("malformed JSON body");
        assertThat(meters.scrape()).contains("modelserve_requests_seconds_count{deployment=\"Sums\",node=\"node-a\",replica=\"none\","
                + "status=\"400\"}");
    }

    @Test
    void binaryTensorsGoBothWays() throws Exception {
        // The JSON names the inputs and their byte sizes; the bytes follow it, little-endian, row-major.
        byte[] header = ("{\"inputs\":["
                + "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],\"parameters\":{\"binary_data_size\":24}},"
                + "{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[2],\"parameters\":{\"binary_data_size\":16}}],"
                + "\"outputs\":[{\"name\":\"sum\",\"parameters\":{\"binary_data\":true}},{\"name\":\"n\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer tensors = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : new float[] {0.5f, 1.25f, -2f, 10f, 20f, 30.5f}) {
            tensors.putFloat(value);
        }
        tensors.putLong(-3).putLong(1L << 40);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header);
        body.writeBytes(tensors.array());

        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri("/v2/models/Sums/infer"))
                .header("Inference-Header-Content-Length", String.valueOf(header.length))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode answer = JSON.readTree(Arrays.copyOfRange(response.body(), 0, jsonLength));
        // "sum" asked binary: its size in the JSON, its 2 floats after it; "n" stays JSON.
        assertThat(answer.at("/outputs/0/name").asText()).isEqualTo("sum");
        assertThat(answer.at("/outputs/0/data").isMissingNode()).isTrue();
        assertThat(answer.at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(8);
        assertThat(answer.at("/outputs/1/data").toString()).isEqualTo("[-3," + (1L << 40) + "]");
        ByteBuffer sums = ByteBuffer.wrap(response.body(), jsonLength, response.body().length - jsonLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(sums.remaining()).isEqualTo(8);
        assertThat(sums.getFloat()).isEqualTo(-0.25f);
        assertThat(sums.getFloat()).isEqualTo(60.5f);

        // binary_data_output: every output binary, in output order.
        byte[] allBinaryHeader = new String(header, StandardCharsets.UTF_8).replaceFirst(",\"outputs\":.*\\}$",
                ",\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        second.writeBytes(allBinaryHeader);
        second.writeBytes(tensors.array());
        HttpResponse<byte[]> all = http.send(HttpRequest.newBuilder(uri("/v2/models/Sums/infer"))
                .header("Inference-Header-Content-Length", String.valueOf(allBinaryHeader.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(second.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(all.statusCode()).isEqualTo(200);
        int allLength = Integer.parseInt(all.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertThat(all.body().length - allLength).isEqualTo(8 + 16);
        ByteBuffer rest = ByteBuffer.wrap(all.body(), allLength + 8, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(rest.getLong()).isEqualTo(-3);
        assertThat(rest.getLong()).isEqualTo(1L << 40);
    }

    @Test
    void badBinaryFramingIs400NamingTheInput() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}},"
                + "{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[1],\"parameters\":{\"binary_data_size\":8}}]}";
        assertThat(binaryError(header, 20 + 4)).contains("4 bytes follow the tensors");
        assertThat(binaryError(header.replace("\"binary_data_size\":12", "\"binary_data_size\":8"), 16))
                .contains("input 'x'").contains("takes 3 x 4 = 12");
        assertThat(binaryError(header, 10)).contains("input 'x'").contains("more than the 10 bytes");
    }

    @Test
    void invalidInputIs400NamingTheInputNever500() throws Exception {
        assertThat(error(post("/v2/models/Sums/infer", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[1,3],"
                + "\"data\":[1,2,3]},{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1]}]}"), 400))
                .contains("input 'x'").contains("FP64");
        // Both free dimensions are the model's "batch": 2 rows of x with 1 of n cannot run.
        assertThat(error(post("/v2/models/Sums/infer", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],"
                + "\"data\":[1,2,3,4,5,6]},{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1]}]}"), 400))
                .contains("input 'n' dimension 0 is 1 where input 'x' dimension 0 is 2");
        assertThat(error(post("/v2/models/Sums/infer", "{\"id\":{\"a\":1},\"inputs\":[]}"), 400)).contains("\"id\"");
        assertThat(error(post("/v2/models/Sums/infer", "{\"inputs\": ["), 400)).contains("malformed JSON");
    }

    @Test
    void everyErrorUnderV2IsTheProtocolsBody() throws Exception {
        assertThat(error(get("/v2/models/Sums/infer"), 405)).contains("use POST");
        assertThat(error(get("/v2/nothing/here"), 404)).contains("no Open Inference endpoint");
        assertThat(error(post("/v2/models/Nope/infer", "{}"), 404)).contains("unknown model 'Nope'");
        assertThat(ok(get("/v2")).get("extensions").toString()).contains("binary_tensor_data");
    }

    private String binaryError(String header, int bytes) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + bytes);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v2/models/Sums/infer"))
                .header("Inference-Header-Content-Length", String.valueOf(json.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return error(response, 400);
    }

    private JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The protocol's error body: exactly {"error": "..."}. */
    private String error(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        Map<String, Object> fields = new LinkedHashMap<>();
        body.fieldNames().forEachRemaining(name -> fields.put(name, body.get(name)));
        assertThat(fields.keySet()).containsExactly("error");
        return body.get("error").asText();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + node.ingress.port() + path);
    }
}
