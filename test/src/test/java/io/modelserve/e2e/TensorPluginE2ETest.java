package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.modelserve.agent.grpc.InferenceServiceBinding;
import io.modelserve.agent.grpc.v2.ModelInferRequest;
import io.modelserve.agent.grpc.v2.ModelInferResponse;
import io.modelserve.agent.grpc.v2.ModelMetadataRequest;
import io.modelserve.agent.grpc.v2.ModelMetadataResponse;
import io.modelserve.controller.dashboard.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plugin that declares its tensor signature (examples/linear, algopkg/Linear.jar, a
 * {@code TensorModel}) served by the Open Inference Protocol beside its route, from a head started by
 * {@code bin/modelserve start} with {@code grpc_port}: metadata, ready, JSON and binary tensors,
 * versions (a canary pinned by {@code /versions/v2}), 400 naming the input, gRPC {@code ModelInfer}
 * with grpc-java, and the same request metrics; a plugin without a signature (Noop) is a 404 with
 * the protocol's error body saying why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TensorPluginE2ETest {
    private static final String CONF = """
            grpc_port = %d
            access_log = true

            [algopkg.Linear]
            backend = io.modelserve.examples.linear.Linear
            cpu_cost = 0.25
            route = linear
            config.weights = 1, 2, 3, 4

            [algopkg.Linear@v2]
            backend = io.modelserve.examples.linear.Linear
            cpu_cost = 0.25
            traffic = 0
            config.weights = 1, 2, 3, 4
            config.bias = 100

            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.1
            route = noop
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    RunningHead head;
    ManagedChannel channel;
    java.nio.file.Path dir;

    @BeforeAll
    void startHead() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("Linear", "Linear@v2");
        int grpcPort = RunningHead.freePort(workspace.bind());
        workspace.writeConf("conf.ini", CONF.formatted(grpcPort));
        head = workspace.start("conf.ini");
        head.awaitDeploymentsReady(3);
        channel = NettyChannelBuilder.forAddress(head.bind, grpcPort).usePlaintext().build();
    }

    @AfterAll
    void stopHead() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (head != null) {
            head.close();
        }
    }

    private HttpResponse<byte[]> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + head.bind + ":" + head.port + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
        return RunningHead.JSON.readTree(response.body());
    }

    @Test
    void metadataAndReadinessComeFromTheDeclaredSignature() throws Exception {
        HttpResponse<String> metadata = head.get("/v2/models/Linear");
        assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
        JsonNode body = RunningHead.json(metadata);
        assertThat(body.path("name").asText()).isEqualTo("Linear");
        assertThat(body.path("platform").asText()).isEqualTo("modelserve_plugin");
        assertThat(body.path("versions").toString()).isEqualTo("[\"main\",\"v2\"]");
        assertThat(body.path("inputs").toString()).isEqualTo("[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]");
        assertThat(body.path("outputs").toString()).isEqualTo("[{\"name\":\"score\",\"datatype\":\"FP32\",\"shape\":[-1,1]},"
                + "{\"name\":\"positive\",\"datatype\":\"BOOL\",\"shape\":[-1]}]");
        assertThat(head.get("/v2/models/Linear/ready").statusCode()).isEqualTo(200);
        assertThat(head.get("/v2/models/Linear/versions/v2/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void jsonTensorsInAndOutWithTheVersionThatRanIt() throws Exception {
        byte[] request = """
                {"id": 7, "inputs": [{"name": "features", "datatype": "FP32", "shape": [2, 4], "data": [1, 0, 0, 0, 0, 0, 0, -1]}]}
                """.getBytes(StandardCharsets.UTF_8);
        JsonNode main = json(post("/v2/models/Linear/infer", request, "Content-Type", "application/json"));
        assertThat(main.path("model_name").asText()).isEqualTo("Linear");
        assertThat(main.path("model_version").asText()).isEqualTo("main");
        assertThat(main.path("id").isNumber()).as("a numeric id comes back a number").isTrue();
        assertThat(main.at("/outputs/0/name").asText()).isEqualTo("score");
        assertThat(main.at("/outputs/0/shape").toString()).isEqualTo("[2,1]");
        assertThat(main.at("/outputs/0/data").toString()).isEqualTo("[1.0,-4.0]");
        assertThat(main.at("/outputs/1/data").toString()).isEqualTo("[true,false]");

        JsonNode v2 = json(post("/v2/models/Linear/versions/v2/infer", request, "Content-Type", "application/json"));
        assertThat(v2.path("model_version").asText()).isEqualTo("v2");
        assertThat(v2.at("/outputs/0/data").toString()).isEqualTo("[101.0,96.0]");

        // Its own route is unchanged.
        JsonNode route = json(post("/linear", "{\"features\": [1, 1, 1, 1]}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json"));
        assertThat(route.at("/result/score").asDouble()).isEqualTo(10.0);
    }

    @Test
    void binaryTensorsBothWays() throws Exception {
        String header = "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1, 4],"
                + " \"parameters\": {\"binary_data_size\": 16}}], \"outputs\": [{\"name\": \"score\", \"parameters\":"
                + " {\"binary_data\": true}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(json.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json).putFloat(1).putFloat(1).putFloat(1).putFloat(0.5f);
        HttpResponse<byte[]> response = post("/v2/models/Linear/infer", body.array(), "Content-Type",
                "application/octet-stream", "Inference-Header-Content-Length", String.valueOf(json.length));

        assertThat(response.statusCode()).isEqualTo(200);
        int length = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode answer = RunningHead.JSON.readTree(response.body(), 0, length);
        assertThat(answer.at("/outputs/0/name").asText()).isEqualTo("score");
        assertThat(answer.at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(4);
        assertThat(answer.at("/outputs").size()).as("only the output asked for").isEqualTo(1);
        assertThat(ByteBuffer.wrap(response.body(), length, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(8.0f);
    }

    @Test
    void badInputIsA400NamingTheInput() throws Exception {
        HttpResponse<byte[]> wrongShape = post("/v2/models/Linear/infer", """
                {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}
                """.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertThat(wrongShape.statusCode()).isEqualTo(400);
        assertThat(json(wrongShape).path("error").asText()).contains("features");

        HttpResponse<byte[]> unknown = post("/v2/models/Linear/infer", """
                {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}]}
                """.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).contains("unknown input 'x'").contains("features");
    }

    @Test
    void aPluginWithoutASignatureIsA404WithTheProtocolsErrorBody() throws Exception {
        HttpResponse<String> metadata = head.get("/v2/models/Noop");
        assertThat(metadata.statusCode()).isEqualTo(404);
        assertThat(RunningHead.json(metadata).path("error").asText()).contains("declares no tensor signature")
                .contains("TensorModel").contains("/noop");
        HttpResponse<byte[]> infer = post("/v2/models/Noop/infer", """
                {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}]}
                """.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
        assertThat(infer.statusCode()).isEqualTo(404);
        assertThat(json(infer).properties()).hasSize(1);
        assertThat(json(infer).path("error").asText()).contains("declares no tensor signature");
        assertThat(head.get("/v2/models/Noop/ready").statusCode()).isEqualTo(404);
    }

    private static ModelInferRequest features(String version, float... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            raw.putFloat(value);
        }
        return ModelInferRequest.newBuilder().setModelName("Linear").setModelVersion(version).setId("g-1")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                        .addShape(values.length / 4).addShape(4))
                .addRawInputContents(ByteString.copyFrom(raw.array())).build();
    }

    @Test
    void grpcModelInferLikeRest() throws Exception {
        ModelInferResponse response = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), features("", 0, 0, 1, 0));
        assertThat(response.getModelName()).isEqualTo("Linear");
        assertThat(response.getModelVersion()).isEqualTo("main");
        assertThat(response.getId()).isEqualTo("g-1");
        assertThat(response.getOutputs(0).getName()).isEqualTo("score");
        assertThat(response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(3f);

        ModelInferResponse v2 = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), features("v2", 0, 0, 1, 0));
        assertThat(v2.getModelVersion()).isEqualTo("v2");
        assertThat(v2.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(103f);

        ModelMetadataResponse metadata = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_METADATA,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), ModelMetadataRequest.newBuilder().setName("Linear").build());
        assertThat(metadata.getPlatform()).isEqualTo("modelserve_plugin");
        assertThat(metadata.getInputs(0).getShapeList()).containsExactly(-1L, 4L);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), features("", 1, 2, 3)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("features");
                });
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), features("", 1, 2, 3, 4).toBuilder()
                        .setModelName("Noop").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void protocolCallsAreCountedInTheRequestMetricsOfTheVersionThatRanThem() throws Exception {
        byte[] request = """
                {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]}]}
                """.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            assertThat(post("/v2/models/Linear/versions/v2/infer", request, "Content-Type", "application/json").statusCode())
                    .isEqualTo(200);
        }
        double counted = PrometheusText.parse(head.get("/-/metrics").body()).stream()
                .filter(s -> s.name().equals("modelserve_requests_seconds_count"))
                .filter(s -> s.label("deployment").equals("Linear@v2") && s.label("status").equals("200"))
                .mapToDouble(PrometheusText.Sample::value).sum();
        assertThat(counted).isGreaterThanOrEqualTo(3);
    }

    @Test
    void theAccessLogHasOneLinePerProtocolCallWithItsProtocolAndVersion() throws Exception {
        assertThat(post("/v2/models/Linear/versions/v2/infer", """
                {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [0, 0, 0, 0]}]}
                """.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").statusCode()).isEqualTo(200);
        ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), features("v2", 0, 0, 0, 0));
        java.nio.file.Path file = dir.resolve("logs/access/Linear.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        java.util.List<JsonNode> v2 = java.util.List.of();
        while (System.nanoTime() < deadline) {
            if (java.nio.file.Files.exists(file)) {
                java.util.List<JsonNode> lines = new java.util.ArrayList<>();
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    lines.add(RunningHead.JSON.readTree(line));
                }
                v2 = lines.stream().filter(line -> line.path("version").asText().equals("v2")
                        && line.path("status").asInt() == 200).toList();
                if (v2.stream().anyMatch(line -> line.path("protocol").asText().equals("grpc"))
                        && v2.stream().anyMatch(line -> line.path("protocol").asText().equals("oip"))) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        JsonNode oip = v2.stream().filter(line -> line.path("protocol").asText().equals("oip")).findFirst().orElseThrow();
        assertThat(oip.path("deployment").asText()).isEqualTo("Linear");
        assertThat(oip.path("route").asText()).isEqualTo("/v2/models/Linear/versions/v2/infer");
        assertThat(oip.path("replica").asText()).startsWith("Linear@v2-");
        assertThat(oip.path("compute_ms").isNumber()).isTrue();
        JsonNode grpc = v2.stream().filter(line -> line.path("protocol").asText().equals("grpc")).findFirst().orElseThrow();
        assertThat(grpc.path("route").asText()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
        assertThat(grpc.path("bytes_in").asLong()).isPositive();
        assertThat(grpc.path("bytes_out").asLong()).isPositive();
    }
}
