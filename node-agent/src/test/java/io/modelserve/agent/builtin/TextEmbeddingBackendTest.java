package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.modelkit.SentenceEmbedder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** builtin:text-embedding over MiniLM; the plugin's equality is checked end to end (TextEmbedding example). */
class TextEmbeddingBackendTest {
    private static Path model;
    private static Path tokenizer;
    private static TextEmbeddingBackend backend;

    @BeforeAll
    static void load() throws Exception {
        model = ModelZoo.require(ModelZoo.MINILM);
        tokenizer = ModelZoo.require(ModelZoo.MINILM_TOKENIZER);
        backend = new TextEmbeddingBackend(Map.of("threads", "1"));
        backend.init(new TestContext("minilm", List.of(tokenizer, model)));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void answersUnitVectorsAsTheSharedEmbedderComputesThem() throws Exception {
        Map<?, ?> result = (Map<?, ?>) backend.inference(TestRequests.json("{\"text\":\"hello world\"}"));

        float[] vector = (float[]) result.get("embedding");
        assertThat(result.get("dim")).isEqualTo(384);
        try (SentenceEmbedder direct = SentenceEmbedder.open(model, tokenizer, "OnnxRuntime", Map.of())) {
            assertThat(vector).containsExactly(direct.embed(List.of("hello world")).getFirst());
        }
    }

    @Test
    void speaksOpenInferenceWithTextRows() throws Exception {
        JsonNode response = TestRequests.JSON.valueToTree(backend.inference(TestRequests.v2Infer(
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"a cat\",\"a dog\"]}]}")));

        assertThat(response.at("/outputs/0/name").asText()).isEqualTo("embedding");
        assertThat(response.at("/outputs/0/shape").toString()).isEqualTo("[2,384]");
        assertThat(response.at("/outputs/0/data").size()).isEqualTo(768);

        Map<?, ?> bad = (Map<?, ?>) backend.inference(TestRequests.v2Infer(
                "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}"));
        assertThat((String) bad.get("error")).contains("input 'text'").contains("BYTES");
        JsonNode metadata = TestRequests.JSON.valueToTree(backend.inference(TestRequests.v2Metadata()));
        assertThat(metadata.at("/outputs/0/shape").toString()).isEqualTo("[-1,384]");
    }

    @Test
    void aHugeTextIsTruncatedToTheModelsWindowBeforeTokenising() throws Exception {
        // 5 MB of prose: as sentence-transformers does, only the first 256 word pieces count.
        StringBuilder huge = new StringBuilder();
        String sentence = "The quick brown fox jumps over the lazy dog near the riverbank at dawn. ";
        while (huge.length() < 5 * 1024 * 1024) {
            huge.append(sentence);
        }
        String prefix = huge.substring(0, 2_000); // 2,000 chars hold well over 256 pieces

        Map<?, ?> result = (Map<?, ?>) backend.inference(TestRequests.json(
                TestRequests.JSON.createObjectNode().put("text", huge.toString()).toString()));

        float[] vector = (float[]) result.get("embedding");
        try (SentenceEmbedder direct = SentenceEmbedder.open(model, tokenizer, "OnnxRuntime", Map.of("intraOpNumThreads", "1"))) {
            assertThat(vector).containsExactly(direct.embed(List.of(prefix)).getFirst());
            // The tokenizer saw a few KB, not 5 MB (tokenising it whole took ~9 s).
            assertThat(direct.tokenizable(huge.toString()).length()).isLessThanOrEqualTo(4 * 1024);
        }
    }

    @Test
    void aTextThatIsMostlyWhitespaceStillGetsItsWordsEmbedded() throws Exception {
        String text = " ".repeat(20_000) + "hello world";
        try (SentenceEmbedder direct = SentenceEmbedder.open(model, tokenizer, "OnnxRuntime", Map.of("intraOpNumThreads", "1"))) {
            assertThat(direct.tokenizable(text)).isEqualTo(text);
            assertThat(direct.embed(List.of(text)).getFirst()).containsExactly(direct.embed(List.of("hello world")).getFirst());
        }
    }
}
