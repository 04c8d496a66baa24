package io.modelserve.examples.ocr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two PaddleOCR models on rendered text lines, called directly (the pipeline over HTTP is
 * tested end to end in test/). Needs the models that scripts/fetch-ocr-models puts into Model_ZOO.
 */
class OcrModelsTest {
    private static final Path MODEL_ZOO = Path.of(System.getProperty("modelserve.root", "../.."), "Model_ZOO");
    private static final Path CLS = MODEL_ZOO.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    private static final Path REC = MODEL_ZOO.resolve("ch_PP-OCRv4_rec_infer.onnx");
    private static final Path KEYS = MODEL_ZOO.resolve("ppocr_keys_v1.txt");

    private static TextOrientation orientation;
    private static TextRecognition recognition;

    @BeforeAll
    static void loadModels() throws Exception {
        assumeTrue(Files.exists(CLS) && Files.exists(REC) && Files.exists(KEYS),
                "PaddleOCR models not in Model_ZOO (scripts/fetch-ocr-models needs npm)");
        orientation = new TextOrientation();
        orientation.init(new TestContext("TextOrientation", List.of(CLS)));
        recognition = new TextRecognition();
        recognition.init(new TestContext("TextRecognition", List.of(KEYS, REC)));
    }

    @AfterAll
    static void close() {
        if (orientation != null) {
            orientation.close();
        }
        if (recognition != null) {
            recognition.close();
        }
    }

    private static Map<?, ?> call(Object backend, byte[] png) throws Exception {
        ImageRequest request = new ImageRequest(png, "image/png");
        return (Map<?, ?>) (backend instanceof TextOrientation o ? o.inference(request) : ((TextRecognition) backend).inference(request));
    }

    @Test
    void keysFileAndModelAgreeOnBlankKeysAndSpace() throws Exception {
        CtcAlphabet alphabet = CtcAlphabet.fromKeys(KEYS);
        long keys = Files.readAllLines(KEYS, StandardCharsets.UTF_8).size();
        assertThat(keys).isEqualTo(6623);
        assertThat(alphabet.size()).isEqualTo(6625);
    }

    @Test
    void recognisesARenderedLine() throws Exception {
        Map<?, ?> read = call(recognition, TextLinePictures.png("hello world 2026", false));
        assertThat(read.get("text")).isEqualTo("hello world 2026");
        assertThat((Double) read.get("score")).isGreaterThan(0.8);
    }

    @Test
    void recognisesAWideLineBeyondTheDefaultWidth() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog 0123456789";
        Map<?, ?> read = call(recognition, TextLinePictures.png(text, false));
        assertThat(read.get("text")).isEqualTo(text);
    }

    @Test
    void tellsUprightFromUpsideDown() throws Exception {
        Map<?, ?> upright = call(orientation, TextLinePictures.png("hello world 2026", false));
        Map<?, ?> turned = call(orientation, TextLinePictures.png("hello world 2026", true));
        assertThat(upright.get("angle")).isEqualTo(0);
        assertThat(turned.get("angle")).isEqualTo(180);
        assertThat(((Number) turned.get("score")).doubleValue()).isGreaterThan(0.9);
    }

    @Test
    void turningAnUpsideDownLineAroundMakesItReadable() throws Exception {
        byte[] upsideDown = TextLinePictures.png("modelserve 42", true);
        byte[] turnedBack = LineImage.decode(upsideDown).rotated180().png();
        assertThat(call(recognition, turnedBack).get("text")).isEqualTo("modelserve 42");
    }

    @Test
    void refusesWhatIsNotAnImageOfALine() {
        assertThatThrownBy(() -> call(recognition, "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an image");
        assertThatThrownBy(() -> call(orientation, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no image");
    }
}
