package io.modelserve.modelkit;

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
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings from a BERT-style encoder (e.g. all-MiniLM-L6-v2) and its HuggingFace tokenizer:
 * tokenise, pad a batch to its longest text, run the model once, mean-pool the token vectors over the
 * attention mask, scale each mean to length 1 (so a dot product is a cosine).
 *
 * <p>One instance per replica: a predictor is not thread-safe. Shared by the {@code TextEmbedding}
 * example plugin and the {@code builtin:text-embedding} backend, so both answer the same vectors.
 */
public final class SentenceEmbedder implements AutoCloseable {

    /**
     * MiniLM and its kin were trained on 256-token windows; longer texts are truncated to their first
     * 256 word pieces (special tokens included), as sentence-transformers does ({@code max_seq_length}).
     */
    public static final int MAX_TOKENS = 256;

    /**
     * Texts up to this many characters go to the tokenizer whole. A word piece covers at least one
     * character, so 256 pieces need far fewer unless the text is mostly whitespace (then the prefix
     * is doubled until it holds 256 pieces or is the whole text).
     */
    static final int FIRST_PREFIX_CHARS = 4 * 1024;

    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final List<String> inputNames;

    private SentenceEmbedder(HuggingFaceTokenizer tokenizer, ZooModel<NDList, NDList> model) {
        this.tokenizer = tokenizer;
        this.model = model;
        this.predictor = model.newPredictor();
        List<String> names = new ArrayList<>();
        for (Pair<String, Shape> input : model.describeInput()) {
            names.add(input.getKey());
        }
        this.inputNames = List.copyOf(names);
    }

    /**
     * @param engine        a DJL engine name, e.g. "OnnxRuntime"
     * @param engineOptions passed to {@link Criteria.Builder#optOption}, e.g. intraOpNumThreads
     */
    public static SentenceEmbedder open(Path modelFile, Path tokenizerJson, String engine,
            Map<String, String> engineOptions) throws IOException, ModelNotFoundException, MalformedModelException {
        return open(modelFile, tokenizerJson, engine, engineOptions, ai.djl.Device.cpu());
    }

    /**
     * On {@code device}: a GPU one makes DJL's ONNX Runtime engine add the CUDA execution provider for
     * that device index, and loading fails (never falls back to the CPU) where it cannot be opened.
     */
    public static SentenceEmbedder open(Path modelFile, Path tokenizerJson, String engine,
            Map<String, String> engineOptions, ai.djl.Device device)
            throws IOException, ModelNotFoundException, MalformedModelException {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(MAX_TOKENS)
                .optPadding(false)
                .build();
        try {
            Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                    .setTypes(NDList.class, NDList.class)
                    .optEngine(engine)
                    .optModelPath(modelFile)
                    .optDevice(device)
                    .optTranslator(new NoopTranslator());
            engineOptions.forEach(criteria::optOption);
            ZooModel<NDList, NDList> model = criteria.build().loadModel();
            return new SentenceEmbedder(tokenizer, model);
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The word pieces {@code text} is embedded from (special tokens included, at most {@link #MAX_TOKENS}). */
    public int tokenCount(String text) {
        return Math.min(MAX_TOKENS, tokenizer.encode(tokenizable(text)).getIds().length);
    }

    /** One model call for all texts; one unit vector per text, in order. */
    public List<float[]> embed(List<String> texts) throws TranslateException {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<String> bounded = new ArrayList<>(texts.size());
        for (String text : texts) {
            bounded.add(tokenizable(text));
        }
        Encoding[] encodings = tokenizer.batchEncode(bounded);
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
                    default -> throw new IllegalStateException("the model wants an unknown input '" + name
                            + "'; a sentence encoder takes input_ids, attention_mask and token_type_ids");
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

    /**
     * The part of {@code text} whose tokens are the first {@link #MAX_TOKENS} of the whole text: a
     * 5 MB text costs what a 4 KB one does instead of being tokenised whole and then truncated. The
     * prefix ends at whitespace, and the tokenizer splits words at whitespace first, so the pieces of
     * the prefix are exactly the first pieces of the whole text; once the prefix yields the maximum,
     * truncation keeps the same tokens the whole text would have kept.
     */
    public String tokenizable(String text) {
        for (int chars = FIRST_PREFIX_CHARS; chars < text.length(); chars *= 2) {
            int cut = wordBoundaryBefore(text, chars);
            if (cut <= 0) {
                continue; // no whitespace yet: one giant word; look further
            }
            String prefix = text.substring(0, cut);
            if (tokenizer.encode(prefix).getIds().length >= MAX_TOKENS) {
                return prefix;
            }
        }
        return text;
    }

    /** The largest index at most {@code limit} that follows a whitespace character, or 0. */
    private static int wordBoundaryBefore(String text, int limit) {
        for (int i = limit; i > 0; i--) {
            if (Character.isWhitespace(text.charAt(i - 1))) {
                return i;
            }
        }
        return 0;
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
        predictor.close();
        model.close();
        tokenizer.close();
    }
}
