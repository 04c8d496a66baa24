package io.modelserve.examples.textembedding;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
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
 * {@link #inferenceBatch} pads a batch to its longest text and runs the model once. Texts longer than
 * {@value #MAX_TOKENS} tokens are truncated. {@code config.threads} caps OnnxRuntime's intra-op threads
 * (default: one per core), so that replicas sharing a node do not oversubscribe it.
 *
 * <p>The quantised model quantises its activations per tensor at run time (DynamicQuantizeLinear over
 * the whole batch), so a text's vector depends slightly on the texts batched with it: measured cosine
 * 0.97-0.99 to the vector of the same text alone. Deployments that need bit-stable vectors keep
 * {@code max_batch_size = 1}; search and clustering do not notice.
 */
public class TextEmbedding implements AlgoBackend {

    /** The model was trained on 256-token windows; longer texts are truncated. */
    static final int MAX_TOKENS = 256;

    private HuggingFaceTokenizer tokenizer;
    private ZooModel<NDList, NDList> model;
    private Predictor<NDList, NDList> predictor;
    private List<String> inputNames;

    @Override
    public void init(BackendContext context)
            throws IOException, ModelNotFoundException, MalformedModelException {
        Path onnx = modelFile(context.modelPaths(), ".onnx");
        Path tokenizerJson = modelFile(context.modelPaths(), ".json");
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(MAX_TOKENS)
                .optPadding(false)
                .build();
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("OnnxRuntime")
                .optModelPath(onnx)
                .optTranslator(new NoopTranslator());
        String threads = context.config().get("threads");
        if (threads != null) {
            criteria.optOption("intraOpNumThreads", String.valueOf(Integer.parseInt(threads.strip())));
        }
        model = criteria.build().loadModel();
        predictor = model.newPredictor();
        inputNames = new ArrayList<>();
        PairList<String, Shape> inputs = model.describeInput();
        for (Pair<String, Shape> input : inputs) {
            inputNames.add(input.getKey());
        }
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

    /** One model call for all texts, padded to the longest; one unit vector per text, in order. */
    List<float[]> embed(List<String> texts) throws TranslateException {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int length = 0;
        for (Encoding encoding : encodings) {
            length = Math.max(length, encoding.getIds().length);
        }
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long[] tokenIds = encodings[b].getIds();
            System.arraycopy(tokenIds, 0, ids, b * length, tokenIds.length);
            System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, tokenIds.length);
            System.arraycopy(encodings[b].getTypeIds(), 0, types, b * length, tokenIds.length);
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            Shape shape = new Shape(batch, length);
            NDList inputs = new NDList();
            for (String name : inputNames) {
                long[] values = switch (name) {
                    case "input_ids" -> ids;
                    case "attention_mask" -> mask;
                    case "token_type_ids" -> types;
                    default -> throw new IllegalStateException("the model wants an unknown input '" + name + "'");
                };
                NDArray array = manager.create(values, shape);
                array.setName(name);
                inputs.add(array);
            }
            NDArray tokenVectors = predictor.predict(inputs).get(0);
            return meanPooledUnitVectors(tokenVectors.toFloatArray(), mask, batch, length,
                    Math.toIntExact(tokenVectors.getShape().get(2)));
        }
    }

    /** Averages each text's token vectors where its mask is 1, then scales the mean to length 1. */
    private static List<float[]> meanPooledUnitVectors(float[] hidden, long[] mask, int batch, int length, int dim) {
        List<float[]> vectors = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            double[] sum = new double[dim];
            int tokens = 0;
            for (int t = 0; t < length; t++) {
                if (mask[b * length + t] == 0) {
                    continue;
                }
                tokens++;
                int offset = (b * length + t) * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += hidden[offset + d];
                }
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                sum[d] /= Math.max(tokens, 1);
                norm += sum[d] * sum[d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            float[] vector = new float[dim];
            for (int d = 0; d < dim; d++) {
                vector[d] = (float) (sum[d] / norm);
            }
            vectors.add(vector);
        }
        return vectors;
    }

    @Override
    public void close() {
        if (predictor != null) {
            predictor.close();
        }
        if (model != null) {
            model.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
