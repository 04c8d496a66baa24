package io.modelserve.examples.textembedding;

import ai.djl.MalformedModelException;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.modelkit.SentenceEmbedder;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.TextEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings with all-MiniLM-L6-v2 (quantised ONNX, 384 dimensions) on OnnxRuntime through DJL.
 *
 * <p>{@code model = all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json} in any order: the
 * {@code .onnx} file is the model, the {@code .json} file its HuggingFace tokenizer. A request
 * {@code {"text": "..."}} is answered {@code {"embedding": [384 floats], "dim": 384}}: the token
 * vectors mean-pooled over the attention mask, then L2-normalised, so a dot product is a cosine.
 * {@link #inferenceBatch} pads a batch to its longest text and runs the model once. The embedding itself
 * is the platform's {@link SentenceEmbedder} (module model-kit), the code {@code builtin:text-embedding}
 * runs too. Texts longer than {@value #MAX_TOKENS} tokens are truncated. {@code config.threads} caps OnnxRuntime's intra-op threads
 * (default: one per core), so that replicas sharing a node do not oversubscribe it.
 *
 * <p>The quantised model quantises its activations per tensor at run time (DynamicQuantizeLinear over
 * the whole batch), so a text's vector depends slightly on the texts batched with it: measured cosine
 * 0.97-0.99 to the vector of the same text alone. Deployments that need bit-stable vectors keep
 * {@code max_batch_size = 1}; search and clustering do not notice.
 *
 * <p>As a {@link TextEmbedder} it is also served as OpenAI's {@code POST /v1/embeddings}, with the
 * deployment's name as {@code model}.
 */
public class TextEmbedding implements TextEmbedder {

    /** The model was trained on 256-token windows; longer texts are truncated. */
    static final int MAX_TOKENS = SentenceEmbedder.MAX_TOKENS;

    private SentenceEmbedder embedder;

    @Override
    public void init(BackendContext context)
            throws IOException, ModelNotFoundException, MalformedModelException {
        Path onnx = modelFile(context.modelPaths(), ".onnx");
        Path tokenizerJson = modelFile(context.modelPaths(), ".json");
        String threads = context.config().get("threads");
        Map<String, String> options = threads == null ? Map.of()
                : Map.of("intraOpNumThreads", String.valueOf(Integer.parseInt(threads.strip())));
        embedder = SentenceEmbedder.open(onnx, tokenizerJson, "OnnxRuntime", options);
    }

    private static Path modelFile(List<Path> modelPaths, String extension) {
        return modelPaths.stream()
                .filter(path -> path.getFileName().toString().endsWith(extension))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "TextEmbedding needs a " + extension + " file among its model files, got " + modelPaths));
    }

    @Override
    public Object inference(Request request) throws TranslateException {
        return answer(embed(List.of(text(request))).get(0));
    }

    @Override
    public List<Object> inferenceBatch(List<Request> batch) throws TranslateException {
        List<Object> results = new ArrayList<>(batch.size());
        List<String> texts = new ArrayList<>();
        for (Request request : batch) {
            try {
                texts.add(text(request));
                results.add(null);
            } catch (IllegalArgumentException e) {
                results.add(e);
            }
        }
        List<float[]> embeddings = embed(texts);
        int next = 0;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                results.set(i, answer(embeddings.get(next++)));
            }
        }
        return results;
    }

    private static String text(Request request) {
        JsonNode text = request.params().get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new IllegalArgumentException("missing 'text': send {\"text\": \"...\"} with a non-empty string");
        }
        return text.asText();
    }

    private static Map<String, Object> answer(float[] embedding) {
        return Map.of("embedding", embedding, "dim", embedding.length);
    }

    /**
     * One model call for all texts, padded to the longest; one unit vector per text, in order. Also
     * what makes this deployment OpenAI's {@code /v1/embeddings} model (SDK {@link TextEmbedder}).
     */
    @Override
    public List<float[]> embed(List<String> texts) throws TranslateException {
        return embedder.embed(texts);
    }

    /** The word pieces a text is embedded from, as OpenAI's usage counts tokens. */
    @Override
    public int tokens(String text) {
        return embedder.tokenCount(text);
    }

    @Override
    public void close() {
        if (embedder != null) {
            embedder.close();
        }
    }
}
