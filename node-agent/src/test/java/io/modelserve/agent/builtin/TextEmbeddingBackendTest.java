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
}
