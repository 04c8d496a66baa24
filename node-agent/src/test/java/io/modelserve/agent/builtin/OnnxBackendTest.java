package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** builtin:onnx over the PaddleOCR direction classifier (input x: FP32 [-1,3,-1,-1], output softmax [-1,2]). */
class OnnxBackendTest {
    private static Path model;
    private static OnnxBackend backend;

    @BeforeAll
    static void load() throws Exception {
        model = ModelZoo.require(ModelZoo.CLS);
        backend = new OnnxBackend(Map.of("threads", "1"));
        backend.init(new TestContext("cls", List.of(model)));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private static float[] randomImage(long seed) {
        Random random = new Random(seed);
        float[] values = new float[3 * 48 * 192];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return values;
    }

    private static String inferBody(float[]... images) throws Exception {
        float[] all = new float[images.length * images[0].length];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, all, i * images[0].length, images[0].length);
        }
        return "{\"id\":\"q1\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + images.length
                + ",3,48,192],\"data\":" + TestRequests.JSON.writeValueAsString(all) + "}]}";
    }

    /** What ONNX Runtime answers when called directly, without DJL or modelserve. */
    private static float[] direct(float[] image) throws Exception {
        Engine.getEngine("OnnxRuntime");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 3, 48, 192});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            float[][] scores = (float[][]) result.get(0).getValue();
            return scores[0];
        }
    }

    private static JsonNode json(Object result) {
        return TestRequests.JSON.valueToTree(result);
    }

    @Test
    void givesTheNumbersOnnxRuntimeGivesDirectly() throws Exception {
        float[] image = randomImage(7);

        JsonNode response = json(backend.inference(TestRequests.v2Infer(inferBody(image))));

        assertThat(response.get("model_name").asText()).isEqualTo("cls");
        assertThat(response.get("id").asText()).isEqualTo("q1");
        JsonNode output = response.get("outputs").get(0);
        assertThat(output.get("datatype").asText()).isEqualTo("FP32");
        assertThat(output.get("shape").toString()).isEqualTo("[1,2]");
        float[] served = TestRequests.JSON.treeToValue(output.get("data"), float[].class);
        assertThat(served).containsExactly(direct(image));
    }

    @Test
    void theRouteTakesTheSameTensorsAndABatchIsStacked() throws Exception {
        float[] a = randomImage(1);
        float[] b = randomImage(2);
        List<Object> batch = backend.inferenceBatch(List.of(TestRequests.json(inferBody(a)),
                TestRequests.v2Infer(inferBody(b)), TestRequests.json(inferBody(a, b))));

        float[] first = TestRequests.JSON.treeToValue(json(batch.get(0)).at("/outputs/0/data"), float[].class);
        float[] second = TestRequests.JSON.treeToValue(json(batch.get(1)).at("/outputs/0/data"), float[].class);
        float[] both = TestRequests.JSON.treeToValue(json(batch.get(2)).at("/outputs/0/data"), float[].class);
        float[] expectedA = direct(a);
        float[] expectedB = direct(b);
        for (int i = 0; i < 2; i++) {
            assertThat(first[i]).isCloseTo(expectedA[i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(second[i]).isCloseTo(expectedB[i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(both[i]).isCloseTo(expectedA[i], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(both[2 + i]).isCloseTo(expectedB[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(json(batch.get(2)).at("/outputs/0/shape").toString()).isEqualTo("[2,2]");
    }

    private static String problem(String body) throws Exception {
        Object result = backend.inference(TestRequests.v2Infer(body));
        assertThat(result).isInstanceOf(Map.class);
        return (String) ((Map<?, ?>) result).get("error");
    }

    @Test
    void badTensorsAreAnsweredWithAnErrorNamingTheInput() throws Exception {
        assertThat(problem("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,48,192],\"data\":[]}]}"))
                .contains("input 'x'").contains("shape [1,48,192]").contains("[-1,3,-1,-1]");
        assertThat(problem("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1,3,1,1],\"data\":[1,2,3]}]}"))
                .contains("input 'x'").contains("datatype 'INT64'").contains("FP32");
        assertThat(problem("{\"inputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}"))
                .contains("unknown input 'y'").contains("x (FP32 [-1,3,-1,-1])");
        assertThat(problem("{\"inputs\":[]}")).contains("\"inputs\"").contains("x (FP32");
        assertThat(problem("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,2,2],\"data\":[1,2,3]}]}"))
                .contains("input 'x'").contains("3 values").contains("holds 12");
        assertThat(problem("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,1,1],\"data\":[1,\"a\",3]}]}"))
                .contains("input 'x'").contains("value #1");
        // Fits [-1,3,-1,-1], but a 0x0 image cannot pass the model's layers: the caller's, not a 500.
        assertThat(problem("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,0,0],\"data\":[]}]}"))
                .contains("the model cannot run these inputs (x FP32 [1,3,0,0])").doesNotContain("onnxruntime");
    }

    @Test
    void aMissingInputIsNamed() {
        ModelSignature twoInputs = new ModelSignature(List.of(
                new TensorSignature("input_ids", TensorType.INT64, new long[] {-1, -1}),
                new TensorSignature("attention_mask", TensorType.INT64, new long[] {-1, -1})), List.of());
        OpenInference.Decoded decoded = OpenInference.decode(TestRequests.json(
                "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[[101,102]]}]}")
                .params(), twoInputs);

        assertThat(decoded).isInstanceOf(OpenInference.Invalid.class);
        assertThat(((OpenInference.Invalid) decoded).message()).contains("missing input 'attention_mask'");
    }

    @Test
    void onItsRouteABadTensorIsA400NamingTheInput() {
        assertThatThrownBy(() -> backend.inference(TestRequests.json("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\","
                + "\"shape\":[1,3,1,1],\"data\":[1,2,3]}]}"))).isInstanceOf(io.modelserve.sdk.InvalidRequestException.class)
                .hasMessageContaining("input 'x'");
    }

    @Test
    void metadataComesFromTheModel() throws Exception {
        JsonNode metadata = json(backend.inference(TestRequests.v2Metadata()));

        assertThat(metadata.at("/inputs/0/name").asText()).isEqualTo("x");
        assertThat(metadata.at("/inputs/0/shape").toString()).isEqualTo("[-1,3,-1,-1]");
        assertThat(metadata.at("/outputs/0/datatype").asText()).isEqualTo("FP32");
        assertThat(Arrays.asList(metadata.at("/outputs/0/shape").size())).containsExactly(2);
    }
}
