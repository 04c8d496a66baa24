package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.Tensor;
import io.modelserve.sdk.TensorModel;
import io.modelserve.sdk.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A plugin's Open Inference calls, answered from its declared signature and {@code infer}. */
class PluginTensorCallsTest {
    private final PluginTensorCalls calls = new PluginTensorCalls("Doubler@v2");

    /** Doubles {@code x} (FP32 [-1, 2]) into {@code y}; {@code out} says what infer returns instead. */
    private static TensorModel doubler(Function<Map<String, Tensor>, Map<String, Tensor>> out) {
        return new TensorModel() {
            @Override
            public void init(BackendContext context) {}

            @Override
            public Object inference(Request request) {
                throw new AssertionError("a protocol call reached the route");
            }

            @Override
            public List<TensorSpec> inputs() {
                return List.of(new TensorSpec("x", "FP32", new long[] {-1, 2}));
            }

            @Override
            public List<TensorSpec> outputs() {
                return List.of(new TensorSpec("y", "FP32", new long[] {-1, 2}));
            }

            @Override
            public Map<String, Tensor> infer(Map<String, Tensor> inputs) {
                return out.apply(inputs);
            }
        };
    }

    private static Map<String, Tensor> doubled(Map<String, Tensor> inputs) {
        float[] x = inputs.get("x").floats();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2 * x[i];
        }
        return Map.of("y", Tensor.of(y, inputs.get("x").shape()));
    }

    private static JsonNode tree(Object answer) {
        return TestRequests.JSON.valueToTree(answer);
    }

    @Test
    void inferChecksTheInputsRunsThePluginAndNamesTheDeployment() throws Exception {
        JsonNode answer = tree(calls.answer(doubler(PluginTensorCallsTest::doubled), TestRequests.v2Infer(
                "{\"id\":\"a\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[1,2,3,4]}]}")));
        assertThat(answer.path("model_name").asText()).isEqualTo("Doubler@v2");
        assertThat(answer.path("id").asText()).isEqualTo("a");
        assertThat(answer.at("/outputs/0/data").toString()).isEqualTo("[2.0,4.0,6.0,8.0]");
        assertThat(answer.at("/outputs/0/shape").toString()).isEqualTo("[2,2]");
    }

    @Test
    void anInputThatDoesNotFitIsTheCallersErrorNamingIt() throws Exception {
        JsonNode answer = tree(calls.answer(doubler(PluginTensorCallsTest::doubled), TestRequests.v2Infer(
                "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[1,2]}]}")));
        assertThat(answer.path("error").asText()).contains("input 'x'").contains("FP32");
    }

    @Test
    void metadataIsTheDeclaredSignature() throws Exception {
        JsonNode metadata = tree(calls.answer(doubler(PluginTensorCallsTest::doubled), TestRequests.v2Metadata()));
        assertThat(metadata.path("platform").asText()).isEqualTo("modelserve_plugin");
        assertThat(metadata.path("inputs").toString()).isEqualTo("[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]");
    }

    @Test
    void anOutputOffItsSpecIsThePluginsMistake() {
        assertThatThrownBy(() -> calls.answer(doubler(inputs -> Map.of("y", Tensor.of(new long[] {1, 2}, 1, 2))),
                TestRequests.v2Infer("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("output 'y' is INT64");
        assertThatThrownBy(() -> calls.answer(doubler(inputs -> Map.of()),
                TestRequests.v2Infer("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no output 'y'");
    }

    @Test
    void aPluginWithoutASignatureSaysSoAndItsRouteNeverSeesTheCall() throws Exception {
        AlgoBackend plain = new AlgoBackend() {
            @Override
            public void init(BackendContext context) {}

            @Override
            public Object inference(Request request) {
                throw new AssertionError("a protocol call reached the route");
            }
        };
        assertThat(calls.handles(TestRequests.v2Metadata())).isTrue();
        assertThat(calls.handles(TestRequests.json("{}"))).isFalse();
        JsonNode answer = tree(calls.answer(plain, TestRequests.v2Metadata()));
        assertThat(answer.has(PluginTensorCalls.NOT_TENSOR_MODEL)).isTrue();
        assertThat(answer.path("error").asText()).contains("declares no tensor signature");
    }

    @Test
    void sdkValuesRefuseWhatTheProtocolCannotCarry() {
        assertThatThrownBy(() -> new TensorSpec("x", "FP16", new long[] {1})).hasMessageContaining("FP16");
        assertThatThrownBy(() -> new TensorSpec("x", "FP32", new long[] {-2})).hasMessageContaining("below -1");
        assertThatThrownBy(() -> Tensor.of(new float[3], 2, 2)).hasMessageContaining("3 values for shape [2, 2]");
        assertThatThrownBy(() -> Tensor.of(new float[1], 1).longs()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Tensor.wrap("INT32", new long[] {1}, new long[1])).hasMessageContaining("int[]");
        assertThat(Tensor.uint8(new byte[] {(byte) 255}, 1).datatype()).isEqualTo("UINT8");
    }
}
