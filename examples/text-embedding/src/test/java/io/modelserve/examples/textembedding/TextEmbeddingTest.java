package io.modelserve.examples.textembedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.modelserve.sdk.Request;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Runs the real model from Model_ZOO, which the build unpacks in generate-resources. */
class TextEmbeddingTest {

    private static final Path MODEL_ZOO = Path.of(System.getProperty("modelserve.root", "../.."), "Model_ZOO");
    private static final ListAppender<ILoggingEvent> DJL_LOG = new ListAppender<>();
    private static TextEmbedding backend;

    @BeforeAll
    static void loadModel() throws Exception {
        Logger djl = (Logger) LoggerFactory.getLogger("ai.djl");
        djl.setLevel(Level.DEBUG);
        djl.addAppender(DJL_LOG);
        DJL_LOG.start();
        backend = new TextEmbedding();
        backend.init(new TestContext("r-1", List.of(
                MODEL_ZOO.resolve("all-minilm-l6-v2-q-tokenizer.json"),
                MODEL_ZOO.resolve("all-minilm-l6-v2-q.onnx")), Map.of("threads", "2")));
    }

    @AfterAll
    static void close() throws Exception {
        backend.close();
    }

    private static float[] embed(String text) throws Exception {
        return embedding(backend.inference(TestRequest.of(json(text))));
    }

    private static String json(String text) {
        return "{\"text\":\"" + text + "\"}";
    }

    private static float[] embedding(Object result) {
        return (float[]) ((Map<?, ?>) result).get("embedding");
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void answersA384DimensionalUnitVector() throws Exception {
        Map<?, ?> result = (Map<?, ?>) backend.inference(TestRequest.of(json("hello world")));

        assertThat(result.get("dim")).isEqualTo(384);
        float[] vector = embedding(result);
        assertThat(vector).hasSize(384);
        assertThat(dot(vector, vector)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void truncatesLongTexts() throws Exception {
        float[] vector = embed("word ".repeat(1000).strip());

        assertThat(dot(vector, vector)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void placesSimilarTextsCloser() throws Exception {
        float[] hello = embed("hello");

        assertThat(dot(hello, embed("hi there"))).isGreaterThan(dot(hello, embed("the stock market fell")));
    }

    @Test
    void batchOfOneTextGivesTheSameVectorsAsASingleCall() throws Exception {
        float[] single = embed("the stock market fell");

        List<Object> results = backend.inferenceBatch(List.of(
                TestRequest.of(json("the stock market fell")), TestRequest.of(json("the stock market fell"))));

        for (Object result : results) {
            assertThat(embedding(result)).containsExactly(single, within(1e-4f));
        }
    }

    /**
     * Not within 1e-4: the quantised model scales its activations per batch, so vectors move a little
     * with their batch neighbours (see {@link TextEmbedding}). Each must still be its own text's vector.
     */
    @Test
    void mixedBatchAnswersEachTextInOrderAndFailsOnlyBadRequests() throws Exception {
        List<String> texts = List.of("hello", "the stock market fell sharply on Monday after weak earnings",
                "a", "Sentence embeddings map text to vectors.");
        List<Request> batch = new ArrayList<>();
        List<float[]> singles = new ArrayList<>();
        for (String text : texts) {
            batch.add(TestRequest.of(json(text)));
            singles.add(embed(text));
        }
        batch.add(2, TestRequest.of("{\"txt\":\"typo\"}"));

        List<Object> results = new ArrayList<>(backend.inferenceBatch(batch));

        assertThat(results).hasSize(5);
        assertThat(results.remove(2)).isInstanceOf(IllegalArgumentException.class);
        for (int i = 0; i < texts.size(); i++) {
            float[] batched = embedding(results.get(i));
            assertThat(dot(batched, batched)).isCloseTo(1.0, within(1e-5));
            assertThat(dot(batched, singles.get(i))).as(texts.get(i)).isGreaterThan(0.95);
            for (int j = 0; j < texts.size(); j++) {
                if (j != i) {
                    assertThat(dot(batched, singles.get(j))).as(texts.get(i) + " vs " + texts.get(j))
                            .isLessThan(dot(batched, singles.get(i)));
                }
            }
        }
    }

    @Test
    void refusesARequestWithoutText() {
        for (String params : List.of("{}", "{\"text\":\"\"}", "{\"text\":42}")) {
            assertThatThrownBy(() -> backend.inference(TestRequest.of(params)))
                    .as(params).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("missing 'text'");
        }
    }

    @Test
    void neverDownloadsAnything() {
        assertThat(DJL_LOG.list).map(ILoggingEvent::getFormattedMessage)
                .noneMatch(message -> message.toLowerCase(Locale.ROOT).contains("download"));
    }

    /** Prints latency and throughput for the README; asserts nothing about them. */
    @Test
    void measuresSpeed() throws Exception {
        Request single = TestRequest.of(json("the quick brown fox jumps over the lazy dog near the river bank today"));
        List<Request> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batch.add(TestRequest.of(json("request number " + i + " asks for an embedding of a short sentence")));
        }
        for (int i = 0; i < 30; i++) {
            backend.inference(single);
            backend.inferenceBatch(batch);
        }
        int singles = 300;
        long start = System.nanoTime();
        for (int i = 0; i < singles; i++) {
            backend.inference(single);
        }
        double msPerSingle = (System.nanoTime() - start) / 1e6 / singles;
        int batches = 100;
        start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            backend.inferenceBatch(batch);
        }
        double itemsPerSecond = batches * 8 / ((System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "MiniLM-L6-v2-q on %d CPUs: %.2f ms per single inference (~16 tokens), %.0f items/s at batch 8%n",
                Runtime.getRuntime().availableProcessors(), msPerSingle, itemsPerSecond);
    }
}
