package io.modelserve.agent.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.modelserve.agent.grpc.v2.InferTensorContents;
import io.modelserve.agent.grpc.v2.ModelInferRequest;
import io.modelserve.agent.grpc.v2.ModelInferResponse;
import io.modelserve.agent.grpc.v2.ModelMetadataRequest;
import io.modelserve.agent.grpc.v2.ModelMetadataResponse;
import io.modelserve.agent.testing.TensorNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Open Inference Protocol's gRPC service, called by clients modelserve did not write: Node's
 * {@code @grpc/grpc-js} with the protocol's proto loaded by {@code @grpc/proto-loader} (installed at
 * build time by scripts/npm-test-clients), and grpc-java on the generated messages. Behind it, the
 * fake tensor model of {@link TensorNode}, so the REST and gRPC answers can be compared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROTO = Path.of("src/main/proto/grpc_predict_v2.proto").toAbsolutePath();
    private static final Path NODE_CLIENTS = Path.of("target/node-clients/node_modules").toAbsolutePath();

    private TensorNode node;
    private GrpcIngress grpc;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        node = new TensorNode();
        grpc = new GrpcIngress(node.service, node.bodies, "127.0.0.1", 0).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().build();
    }

    @AfterAll
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        grpc.close();
        node.close();
    }

    @Test
    void nodesGrpcJsWithTheProtocolsProto() throws Exception {
        assumeTrue(Files.isDirectory(NODE_CLIENTS.resolve("@grpc/grpc-js")), "npm clients not installed (no npm at build time)");
        ProcessBuilder command = new ProcessBuilder("node", Path.of("src/test/node/grpc-client.js").toAbsolutePath().toString(),
                PROTO.toString(), "127.0.0.1:" + grpc.port()).redirectErrorStream(true);
        command.environment().put("NODE_PATH", NODE_CLIENTS.toString());
        Process process = command.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        JsonNode result = JSON.readTree(output.lines().reduce((a, b) -> b).orElse("{}"));

        assertThat(result.path("live").asBoolean()).isTrue();
        assertThat(result.at("/server/extensions").toString()).contains("binary_tensor_data");
        assertThat(result.at("/model/versions").toString()).isEqualTo("[\"main\",\"v2\"]");
        assertThat(result.at("/model/inputs/0/name").asText()).isEqualTo("x");
        assertThat(result.at("/model/inputs/0/shape").toString()).isEqualTo("[\"-1\",\"3\"]");
        assertThat(result.path("modelReady").asBoolean()).isTrue();
        assertThat(result.at("/unknown/code").asText()).isEqualTo("NOT_FOUND");

        assertThat(result.at("/raw/model_name").asText()).isEqualTo("Sums");
        assertThat(result.at("/raw/model_version").asText()).isEqualTo("main");
        assertThat(result.at("/raw/id").asText()).isEqualTo("raw-1");
        assertThat(result.at("/raw/sums").toString()).isEqualTo("[6,15.5]");
        assertThat(result.at("/raw/n").toString()).isEqualTo("[\"7\",\"-8\"]");
        assertThat(result.at("/typed/model_version").asText()).isEqualTo("v2");
        assertThat(result.at("/typed/sums").toString()).isEqualTo("[0.875]");
        assertThat(result.at("/wrong/code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(result.at("/wrong/details").asText()).contains("input 'x'").contains("INT32").contains("FP32");
    }

    private static ModelInferRequest sums(float... x) {
        ByteBuffer xs = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : x) {
            xs.putFloat(value);
        }
        int rows = x.length / 3;
        ByteBuffer ns = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            ns.putLong(i);
        }
        return ModelInferRequest.newBuilder().setModelName("Sums")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(rows).addShape(3))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("n").setDatatype("INT64").addShape(rows))
                .addRawInputContents(ByteString.copyFrom(xs.array())).addRawInputContents(ByteString.copyFrom(ns.array()))
                .build();
    }

    @Test
    void grpcJavaOnTheGeneratedMessages() {
        ModelInferResponse response = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT, sums(1, 2, 3).toBuilder().setId("j-1").build());
        assertThat(response.getModelName()).isEqualTo("Sums");
        assertThat(response.getId()).isEqualTo("j-1");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L);
        assertThat(response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(6f);

        ModelMetadataResponse metadata = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_METADATA,
                CallOptions.DEFAULT, ModelMetadataRequest.newBuilder().setName("Sums").setVersion("v2").build());
        assertThat(metadata.getVersionsList()).containsExactly("main", "v2");

        ModelInferRequest mixed = sums(1, 2, 3).toBuilder()
                .setInputs(1, ModelInferRequest.InferInputTensor.newBuilder().setName("n").setDatatype("INT64").addShape(1)
                        .setContents(InferTensorContents.newBuilder().addInt64Contents(1)))
                .build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT, mixed))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("contents while raw_input_contents");
                });
        ModelInferRequest typed = ModelInferRequest.newBuilder().setModelName("Sums")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(1).addShape(3)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(1).addFp32Contents(1)))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("n").setDatatype("FP64").addShape(1)
                        .setContents(InferTensorContents.newBuilder().addFp64Contents(1)))
                .build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT, typed))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("input 'n'").contains("FP64");
                });
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                CallOptions.DEFAULT, sums(1, 2, 3).toBuilder().setModelVersion("v9").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        // Counted where route requests are.
        assertThat(node.meters.scrape()).contains("deployment=\"Sums\",node=\"node-a\",replica=\"sums-1\",status=\"200\"")
                .contains("deployment=\"Sums\",node=\"node-a\",replica=\"sums-1\",status=\"400\"");
    }

    /** Not an assertion on speed: prints the p50 of one small inference, gRPC against REST (JSON). */
    @Test
    void printsGrpcAgainstRestLatency() throws Exception {
        int calls = 1_000;
        ModelInferRequest request = sums(1, 2, 3);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest rest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.ingress.port() + "/v2/models/Sums/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],"
                        + "\"data\":[1,2,3]},{\"name\":\"n\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[0]}]}")).build();
        long[] grpcNanos = new long[calls];
        long[] restNanos = new long[calls];
        for (int round = -100; round < calls; round++) { // the first 100 of each warm up
            long started = System.nanoTime();
            ModelInferResponse response = ClientCalls.blockingUnaryCall(channel, InferenceServiceBinding.MODEL_INFER,
                    CallOptions.DEFAULT, request);
            long grpcTook = System.nanoTime() - started;
            started = System.nanoTime();
            HttpResponse<String> answer = http.send(rest, HttpResponse.BodyHandlers.ofString());
            long restTook = System.nanoTime() - started;
            assertThat(response.getOutputsCount()).isEqualTo(2);
            assertThat(answer.statusCode()).isEqualTo(200);
            if (round >= 0) {
                grpcNanos[round] = grpcTook;
                restNanos[round] = restTook;
            }
        }
        Arrays.sort(grpcNanos);
        Arrays.sort(restNanos);
        System.out.printf("one small inference, %d calls each, one at a time: gRPC p50 %.3f ms p99 %.3f ms;"
                        + " REST p50 %.3f ms p99 %.3f ms%n", calls, grpcNanos[calls / 2] / 1e6, grpcNanos[calls * 99 / 100] / 1e6,
                restNanos[calls / 2] / 1e6, restNanos[calls * 99 / 100] / 1e6);
    }
}
