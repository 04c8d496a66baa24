package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Zero-code serving through {@code bin/modelserve start}: model files plus conf.ini sections with
 * {@code backend = builtin:<name>}, called on their routes and over the Open Inference Protocol (v2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltinBackendsE2ETest {
    static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    static final String MINILM = "all-minilm-l6-v2-q.onnx";
    static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
    static final String DEPLOYMENTS = """
            [algopkg.Orientation]
            backend = builtin:image-classifier
            model = %1$s
            labels = cls_labels.txt
            input_size = 48x192
            resize = pad
            mean = 0.5, 0.5, 0.5
            std = 0.5, 0.5, 0.5
            channel_order = BGR
            filter = topN(2)
            threads = 1
            cpu_cost = 0.1
            route = orientation

            [algopkg.Cls]
            backend = builtin:onnx
            model = %1$s
            threads = 1
            cpu_cost = 0.1
            route = tensors/cls

            [algopkg.MiniLmTensors]
            backend = builtin:onnx
            model = %2$s
            threads = 1
            cpu_cost = 0.1
            route = tensors/minilm

            [algopkg.MiniLm]
            backend = builtin:text-embedding
            model = %2$s, %3$s
            threads = 1
            cpu_cost = 0.1
            route = embed/builtin

            [algopkg.TextEmbedding]
            backend = io.modelserve.examples.textembedding.TextEmbedding
            model = %2$s, %3$s
            config.threads = 1
            cpu_cost = 0.1
            route = embed/plugin
            """.formatted(CLS, MINILM, MINILM_TOKENIZER);

    Path zoo;
    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path shipped = Cli.ROOT.resolve("Model_ZOO");
        for (String file : List.of(CLS, MINILM, MINILM_TOKENIZER)) {
            assumeThat(shipped.resolve(file)).as("build modules models and examples/text-embedding first").isRegularFile();
        }
        Path dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        // A zoo of its own, so the labels file this test needs stays out of the repository's Model_ZOO.
        zoo = Files.createDirectories(dir.resolve("zoo"));
        for (String file : List.of(CLS, MINILM, MINILM_TOKENIZER)) {
            Files.copy(shipped.resolve(file), zoo.resolve(file));
        }
        Files.writeString(zoo.resolve("cls_labels.txt"), "0\n180\n");
        // Tensors as JSON text are large: a 3x48x192 float image is about 300 KB.
        Files.writeString(dir.resolve("conf.ini"), workspace.header().replace("model_zoo = " + shipped,
                "model_zoo = " + zoo).replace("max_body_bytes = 65536", "max_body_bytes = 4194304") + "\n" + DEPLOYMENTS);
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    static BufferedImage textLine(String text) {
        BufferedImage image = new BufferedImage(384, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(235, 235, 228));
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(new Color(20, 20, 30));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 56));
        g.drawString(text, 10, 70);
        g.dispose();
        return image;
    }

    static BufferedImage turned(BufferedImage image) {
        BufferedImage turned = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                turned.setRGB(image.getWidth() - 1 - x, image.getHeight() - 1 - y, image.getRGB(x, y));
            }
        }
        return turned;
    }

    static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return RunningHead.json(response);
    }

    @Test
    void theImageClassifierRouteTellsUprightFromUpsideDownText() throws Exception {
        BufferedImage line = textLine("Hello modelserve 42");

        JsonNode up = ok(head.post("/orientation", encode(line, "png"), "image/png"));
        JsonNode down = ok(head.post("/orientation", encode(turned(line), "png"), "image/png"));
        assertThat(up.at("/result/0/label").asText()).isEqualTo("0");
        assertThat(up.at("/result/0/index").asInt()).isEqualTo(0);
        assertThat(up.at("/result").size()).isEqualTo(2);
        assertThat(down.at("/result/0/label").asText()).isEqualTo("180");
        assertThat(down.at("/result/0/score").asDouble()).isGreaterThan(0.5);

        String jpeg = Base64.getEncoder().encodeToString(encode(turned(textLine("The quick brown fox")), "jpg"));
        JsonNode instances = ok(head.post("/orientation", "{\"instances\":[{\"image\":\"" + jpeg + "\"}]}"));
        assertThat(instances.at("/result/0/0/label").asText()).isEqualTo("180");

        HttpResponse<String> notAnImage = head.post("/orientation", new byte[] {1, 2, 3}, "image/png");
        assertThat(notAnImage.statusCode()).as("bad input on a built-in's own route").isEqualTo(400);
        assertThat(RunningHead.json(notAnImage).path("error").asText()).contains("not a JPEG or PNG image");
    }

    @Test
    void openInferenceHealthAndMetadataComeFromTheModels() throws Exception {
        assertThat(ok(head.get("/v2/health/ready")).path("ready").asBoolean()).isTrue();
        assertThat(head.get("/v2/health/live").statusCode()).isEqualTo(200);
        assertThat(ok(head.get("/v2/models/Cls/ready")).path("ready").asBoolean()).isTrue();

        JsonNode cls = ok(head.get("/v2/models/Cls"));
        assertThat(cls.path("name").asText()).isEqualTo("Cls");
        assertThat(cls.at("/inputs/0").toString()).isEqualTo("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3,-1,-1]}");
        assertThat(cls.at("/outputs/0/datatype").asText()).isEqualTo("FP32");
        JsonNode minilm = ok(head.get("/v2/models/MiniLmTensors"));
        assertThat(minilm.path("inputs").findValuesAsText("name"))
                .containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
        assertThat(minilm.at("/inputs/0/datatype").asText()).isEqualTo("INT64");

        HttpResponse<String> plugin = head.get("/v2/models/TextEmbedding");
        assertThat(plugin.statusCode()).isEqualTo(404);
        assertThat(RunningHead.json(plugin).path("error").asText()).contains("plugin").contains("/embed/plugin");
        assertThat(head.get("/v2/models/NoSuchModel").statusCode()).isEqualTo(404);
    }

    @Test
    void v2InferGivesTheNumbersOfOnnxRuntimeCalledDirectly() throws Exception {
        Random random = new Random(11);
        float[] image = new float[3 * 48 * 192];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat() * 2 - 1;
        }
        String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,48,192],\"data\":"
                + RunningHead.JSON.writeValueAsString(image) + "}]}";

        JsonNode response = ok(head.post("/v2/models/Cls/infer", body));
        float[] served = RunningHead.JSON.treeToValue(response.at("/outputs/0/data"), float[].class);
        assertThat(response.path("model_name").asText()).isEqualTo("Cls");
        assertThat(response.at("/outputs/0/shape").toString()).isEqualTo("[1,2]");
        assertThat(served).containsExactly(directCls(image));

        JsonNode viaRoute = RunningHead.json(head.post("/tensors/cls", body));
        assertThat(RunningHead.JSON.treeToValue(viaRoute.at("/result/outputs/0/data"), float[].class)).containsExactly(served);
    }

    private float[] directCls(float[] image) throws Exception {
        Engine.getEngine("OnnxRuntime");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(zoo.resolve(CLS).toString(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 3, 48, 192});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            return ((float[][]) result.get(0).getValue())[0];
        }
    }

    private String v2Error(String model, String body) throws Exception {
        HttpResponse<String> response = head.post("/v2/models/" + model + "/infer", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return RunningHead.json(response).path("error").asText();
    }

    @Test
    void badTensorsGet400NamingTheInput() throws Exception {
        assertThat(v2Error("Cls", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,48,192],\"data\":[1]}]}"))
                .contains("input 'x'").contains("shape");
        assertThat(v2Error("Cls", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[1,3,1,1],\"data\":[1,2,3]}]}"))
                .contains("input 'x'").contains("datatype");
        assertThat(v2Error("MiniLmTensors", "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,3],"
                + "\"data\":[101,7592,102]}]}")).contains("missing input 'attention_mask'");
        assertThat(v2Error("Cls", "{\"inputs\": [")).contains("malformed JSON");
    }

    @Test
    void tensorsOfAThreeInputModelRun() throws Exception {
        String body = "{\"inputs\":["
                + "{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[101,7592,102]},"
                + "{\"name\":\"attention_mask\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[1,1,1]},"
                + "{\"name\":\"token_type_ids\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[0,0,0]}]}";

        JsonNode response = ok(head.post("/v2/models/MiniLmTensors/infer", body));
        assertThat(response.at("/outputs/0/shape").toString()).isEqualTo("[1,3,384]");
    }

    @Test
    void theBuiltinTextEmbeddingMatchesThePlugin() throws Exception {
        for (String text : List.of("hello world", "the stock market fell sharply")) {
            String body = "{\"text\":\"" + text + "\"}";
            float[] builtin = RunningHead.JSON.treeToValue(ok(head.post("/embed/builtin", body)).at("/result/embedding"), float[].class);
            float[] plugin = RunningHead.JSON.treeToValue(ok(head.post("/embed/plugin", body)).at("/result/embedding"), float[].class);
            assertThat(builtin).hasSize(384).containsExactly(plugin);
        }
        JsonNode v2 = ok(head.post("/v2/models/MiniLm/infer",
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"hello world\"]}]}"));
        assertThat(v2.at("/outputs/0/shape").toString()).isEqualTo("[1,384]");
    }

    /**
     * OpenAI's own npm SDK, baseURL at the ingress, for the built-in text embedding and the
     * TextEmbedding plugin (a {@code TextEmbedder}): one string, a list, base64 (the SDK's default,
     * decoded by the SDK). One text embeds as its route embeds it, to the bit; a list runs as one
     * batch, whose quantised activations move each vector slightly (cosine >= 0.97, see TextEmbedding).
     */
    @Test
    void openAisSdkGetsTheRoutesVectors() throws Exception {
        Path clients = Cli.ROOT.resolve("test/target/node-clients/node_modules");
        assumeThat(clients.resolve("openai")).as("npm clients not installed (no npm at build time)").isDirectory();
        for (String[] deployment : new String[][] {{"MiniLm", "/embed/builtin"}, {"TextEmbedding", "/embed/plugin"}}) {
            ProcessBuilder command = new ProcessBuilder("node", Cli.ROOT.resolve("test/src/test/node/openai-embeddings.js").toString(),
                    "http://" + head.bind + ":" + head.port + "/v1", deployment[0]).redirectErrorStream(true);
            command.environment().put("NODE_PATH", clients.toString());
            Process node = command.start();
            assertThat(node.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("node finished").isTrue();
            String output = new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(node.exitValue()).as(output).isZero();
            JsonNode result = RunningHead.JSON.readTree(output.lines().reduce((a, b) -> b).orElse("{}"));

            float[][] route = new float[2][];
            int i = 0;
            for (String text : List.of("hello world", "the stock market fell sharply")) {
                route[i++] = RunningHead.JSON.treeToValue(ok(head.post(deployment[1], "{\"text\":\"" + text + "\"}"))
                        .at("/result/embedding"), float[].class);
            }
            assertThat(result.at("/one/model").asText()).isEqualTo(deployment[0]);
            assertThat(RunningHead.JSON.treeToValue(result.at("/one/embedding"), float[].class)).containsExactly(route[0]);
            // "hello world" is [CLS] hello world [SEP] to the tokenizer.
            assertThat(result.at("/one/usage/prompt_tokens").asInt()).isEqualTo(4);
            assertThat(result.at("/list/indexes").toString()).isEqualTo("[0,1]");
            for (String list : List.of("/list/embeddings", "/base64/embeddings")) {
                for (int k = 0; k < 2; k++) {
                    float[] vector = RunningHead.JSON.treeToValue(result.at(list + "/" + k), float[].class);
                    assertThat(vector).hasSize(384);
                    double cosine = 0;
                    for (int d = 0; d < vector.length; d++) {
                        cosine += vector[d] * route[k][d];
                    }
                    assertThat(cosine).as(list + " #" + k).isGreaterThan(0.97);
                }
            }
            for (int k = 0; k < 2; k++) {
                assertThat(RunningHead.JSON.treeToValue(result.at("/base64/embeddings/" + k), float[].class))
                        .containsExactly(RunningHead.JSON.treeToValue(result.at("/list/embeddings/" + k), float[].class));
            }
            assertThat(result.path("models").toString()).contains("\"MiniLm\"").contains("\"TextEmbedding\"")
                    .doesNotContain("Cls");
            assertThat(result.at("/missing/status").asInt()).isEqualTo(404);
            assertThat(result.at("/missing/code").asText()).isEqualTo("model_not_found");
        }
    }

    /**
     * Not an assertion: prints what serving costs over calling the model. The same PNG each time, one
     * request at a time; the raw side is the model call alone on an already preprocessed tensor.
     */
    @Test
    void printsTheImageClassifiersOverheadOverTheRawModelCall() throws Exception {
        byte[] png = encode(textLine("Hello modelserve 42"), "png");
        float[] tensor = new float[3 * 48 * 192];
        int rounds = 200;
        for (int i = 0; i < 20; i++) {
            ok(head.post("/orientation", png, "image/png"));
        }
        long httpStart = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            ok(head.post("/orientation", png, "image/png"));
        }
        double httpMs = (System.nanoTime() - httpStart) / 1e6 / rounds;
        Engine.getEngine("OnnxRuntime");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double rawMs;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(zoo.resolve(CLS).toString(), options)) {
                for (int i = 0; i < 20; i++) {
                    runOnce(env, session, tensor);
                }
                long rawStart = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    runOnce(env, session, tensor);
                }
                rawMs = (System.nanoTime() - rawStart) / 1e6 / rounds;
            }
        }
        System.out.printf("builtin:image-classifier over HTTP: %.3f ms/request; raw model call: %.3f ms; overhead %.3f ms"
                + " (PNG decode, resize, normalise, HTTP, routing, JSON)%n", httpMs, rawMs, httpMs - rawMs);
    }

    private static void runOnce(OrtEnvironment env, OrtSession session, float[] tensor) throws Exception {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(tensor), new long[] {1, 3, 48, 192});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            result.get(0);
        }
    }
}
