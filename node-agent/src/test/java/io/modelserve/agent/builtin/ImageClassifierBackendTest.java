package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PaddleOCR's text direction classifier (class 0 = upright, 1 = turned 180 degrees) as builtin:image-classifier. */
class ImageClassifierBackendTest {
    /** PaddleOCR's cls preprocessing: height 48, width up to 192 keeping the ratio, (x - 0.5) / 0.5, BGR. */
    static final Map<String, String> PADDLE_CLS = Map.of("input_size", "48x192", "resize", "pad", "mean", "0.5,0.5,0.5", "std", "0.5,0.5,0.5",
            "channel_order", "BGR", "filter", "topN(2)", "labels", "cls_labels.txt");
    private static final List<String> LINES = List.of("Hello modelserve 42", "The quick brown fox", "Invoice total 318.50");

    @TempDir
    static Path dir;
    private static ImageClassifierBackend backend;

    @BeforeAll
    static void load() throws Exception {
        Path model = ModelZoo.require(ModelZoo.CLS);
        Path labels = Files.writeString(dir.resolve("cls_labels.txt"), "0\n180\n");
        backend = new ImageClassifierBackend(PADDLE_CLS);
        backend.init(new TestContext("orientation", List.of(model, labels)));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> classes(Object result) {
        return (List<Map<String, Object>>) result;
    }

    @Test
    void tellsUprightFromUpsideDownTextLines() throws Exception {
        for (String line : LINES) {
            BufferedImage upright = TextLineImages.upright(line);
            List<Map<String, Object>> up = classes(backend.inference(TestRequests.image(TextLineImages.png(upright), "image/png")));
            List<Map<String, Object>> down = classes(backend.inference(
                    TestRequests.image(TextLineImages.png(TextLineImages.upsideDown(upright)), "image/png")));
            System.out.printf("orientation of \"%s\": upright -> %s, upside down -> %s%n", line, up, down);

            assertThat(up.getFirst()).containsEntry("label", "0").containsEntry("index", 0);
            assertThat(down.getFirst()).containsEntry("label", "180").containsEntry("index", 1);
            assertThat((float) up.getFirst().get("score")).isGreaterThan(0.5f);
            assertThat(up).hasSize(2);
        }
    }

    @Test
    void takesClusterServingInstancesOfBase64Jpeg() throws Exception {
        BufferedImage upright = TextLineImages.upright(LINES.getFirst());
        String up = Base64.getEncoder().encodeToString(TextLineImages.jpeg(upright));
        String down = Base64.getEncoder().encodeToString(TextLineImages.jpeg(TextLineImages.upsideDown(upright)));

        List<?> answer = (List<?>) backend.inference(TestRequests.json(
                "{\"instances\":[{\"image\":\"" + up + "\"},{\"image\":\"data:image/jpeg;base64," + down + "\"}]}"));

        assertThat(answer).hasSize(2);
        assertThat(classes(answer.get(0)).getFirst()).containsEntry("label", "0");
        assertThat(classes(answer.get(1)).getFirst()).containsEntry("label", "180");
    }

    @Test
    void aBatchIsOneModelCallWithTheSameAnswers() throws Exception {
        BufferedImage upright = TextLineImages.upright(LINES.get(1));
        byte[] up = TextLineImages.png(upright);
        byte[] down = TextLineImages.png(TextLineImages.upsideDown(upright));
        Object alone = backend.inference(TestRequests.image(down, "image/png"));

        List<Object> batch = backend.inferenceBatch(List.of(TestRequests.image(up, "image/png"),
                TestRequests.image(new byte[] {1, 2, 3}, "image/png"), TestRequests.image(down, "image/png")));

        assertThat(classes(batch.get(0)).getFirst()).containsEntry("label", "0");
        assertThat(batch.get(1)).isInstanceOf(io.modelserve.sdk.InvalidRequestException.class); // 400 on the route
        assertThat(((Exception) batch.get(1)).getMessage()).contains("not a JPEG or PNG image");
        assertThat(classes(batch.get(2)).getFirst().get("label")).isEqualTo(classes(alone).getFirst().get("label"));
        assertThat((float) classes(batch.get(2)).getFirst().get("score"))
                .isCloseTo((float) classes(alone).getFirst().get("score"), org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void saysWhatItWantsWhenTheBodyHasNoImage() {
        assertThatThrownBy(() -> backend.inference(TestRequests.json("{\"image\": 12}")))
                .isInstanceOf(io.modelserve.sdk.InvalidRequestException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> backend.inference(TestRequests.image(new byte[0], "image/png")))
                .hasMessageContaining("send a JPEG or PNG image");
    }

    @Test
    void describesTheModelOverOpenInference() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = (Map<String, Object>) backend.inference(TestRequests.v2Metadata());

        assertThat(metadata).containsEntry("name", "orientation").containsEntry("platform", "onnxruntime_onnx");
        @SuppressWarnings("unchecked")
        Map<String, Object> input = ((List<Map<String, Object>>) metadata.get("inputs")).getFirst();
        assertThat(input).containsEntry("datatype", "FP32");
        assertThat((long[]) input.get("shape")).containsExactly(-1, 3, -1, -1);
    }
}
