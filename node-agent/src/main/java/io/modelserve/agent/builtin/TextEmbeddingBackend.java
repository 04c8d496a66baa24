package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.modelkit.SentenceEmbedder;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code builtin:text-embedding}: a sentence encoder ({@code .onnx}) and its HuggingFace tokenizer
 * ({@code .json}) from {@code model}; {@code {"text": "..."}} is answered {@code {"embedding": [...],
 * "dim": n}}, a unit vector, exactly as the TextEmbedding example plugin answers (both run
 * {@link SentenceEmbedder}). Over the Open Inference Protocol: input {@code text} (BYTES, one string
 * per row), output {@code embedding} (FP32, one row per text). A replica's batch is one model call.
 */
final class TextEmbeddingBackend implements io.modelserve.sdk.TextEmbedder {
    static final String NAME = "text-embedding";
    private static final String INPUT = "text";
    private static final String OUTPUT = "embedding";

    private final Map<String, String> options;
    private final OnnxDevices devices;
    private String deployment;
    private SentenceEmbedder embedder;
    private int dim;

    TextEmbeddingBackend(Map<String, String> options) {
        this(options, OnnxDevices.REAL);
    }

    TextEmbeddingBackend(Map<String, String> options, OnnxDevices devices) {
        this.options = Map.copyOf(options);
        this.devices = devices;
    }

    @Override
    public void init(BackendContext context) throws Exception {
        deployment = context.deployment();
        String builtin = "builtin:" + NAME;
        java.nio.file.Path onnx = ModelFiles.single(context.modelPaths(), ".onnx", builtin);
        java.nio.file.Path tokenizer = ModelFiles.single(context.modelPaths(), ".json", builtin);
        try {
            embedder = SentenceEmbedder.open(onnx, tokenizer, OnnxModel.ENGINE, ModelFiles.engineOptions(options),
                    devices.djl(context.device()));
        } catch (Exception e) {
            throw devices.unopened(builtin, context.device(), e);
        }
        if (context.device().isGpu()) {
            org.slf4j.LoggerFactory.getLogger(TextEmbeddingBackend.class).info("{}: {} session on CUDA device {} ({})",
                    deployment, builtin, context.device().index(), context.device());
        }
        dim = embedder.embed(List.of("dimension probe")).getFirst().length;
    }

    @Override
    public Object inference(Request request) throws Exception {
        Object result = inferenceBatch(List.of(request)).getFirst();
        if (result instanceof Exception e) {
            throw e;
        }
        return result;
    }

    /** Texts of one request: one for the route, one per row for a v2 call. */
    private record Texts(List<String> texts, OpenInference.Inputs v2Call) {}

    @Override
    public List<Object> inferenceBatch(List<Request> batch) throws Exception {
        Object[] results = new Object[batch.size()];
        List<Integer> slots = new ArrayList<>();
        List<Texts> asked = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            Request request = batch.get(i);
            if (OpenInference.isMetadata(request)) {
                results[i] = metadata();
                continue;
            }
            try {
                Texts texts = OpenInference.isInfer(request) ? v2Texts(request.params()) : routeText(request.params());
                slots.add(i);
                asked.add(texts);
                all.addAll(texts.texts());
            } catch (IllegalArgumentException e) {
                // Bad input: 400 on the route, with the message naming what is missing or wrong.
                results[i] = OpenInference.isInfer(request) ? OpenInference.error(e.getMessage())
                        : new io.modelserve.sdk.InvalidRequestException(e.getMessage());
            }
        }
        List<float[]> vectors = embedder.embed(all);
        int next = 0;
        for (int k = 0; k < asked.size(); k++) {
            Texts texts = asked.get(k);
            List<float[]> mine = vectors.subList(next, next + texts.texts().size());
            next += texts.texts().size();
            results[slots.get(k)] = texts.v2Call() == null
                    ? Map.of("embedding", mine.getFirst(), "dim", dim)
                    : OpenInference.response(deployment, texts.v2Call(), List.of(matrix(mine)));
        }
        return java.util.Arrays.asList(results);
    }

    private static Texts routeText(JsonNode params) {
        JsonNode text = params.get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new IllegalArgumentException("missing 'text': send {\"text\": \"...\"} with a non-empty string");
        }
        return new Texts(List.of(text.asText()), null);
    }

    private static Texts v2Texts(JsonNode body) {
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1 || !INPUT.equals(inputs.get(0).path("name").asText())) {
            throw new IllegalArgumentException("missing input '" + INPUT + "': send exactly one input, " + INPUT
                    + " (BYTES [-1]), one string per row");
        }
        JsonNode input = inputs.get(0);
        if (!"BYTES".equals(input.path("datatype").asText())) {
            throw new IllegalArgumentException("input '" + INPUT + "': datatype '" + input.path("datatype").asText()
                    + "' does not match the model's BYTES");
        }
        JsonNode data = input.get("data");
        JsonNode shape = input.get("shape");
        if (data == null || !data.isArray() || data.isEmpty() || shape == null || !shape.isArray() || shape.size() != 1
                || shape.get(0).asLong(-1) != data.size()) {
            throw new IllegalArgumentException("input '" + INPUT + "': shape must be [n] with n strings in \"data\", got shape "
                    + shape + " for " + (data == null ? "no data" : data.size() + " values"));
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode value : data) {
            if (!value.isTextual() || value.asText().isBlank()) {
                throw new IllegalArgumentException("input '" + INPUT + "': every value must be a non-empty string, got " + value);
            }
            texts.add(value.asText());
        }
        List<String> requested = new ArrayList<>();
        for (JsonNode output : body.path("outputs")) {
            if (!OUTPUT.equals(output.path("name").asText())) {
                throw new IllegalArgumentException("unknown output '" + output.path("name").asText() + "'; the model gives "
                        + OUTPUT);
            }
            requested.add(OUTPUT);
        }
        JsonNode id = body.get("id");
        return new Texts(texts, new OpenInference.Inputs(id != null && id.isTextual() ? id.asText() : null, List.of(), requested));
    }

    private Tensor matrix(List<float[]> vectors) {
        float[] data = new float[vectors.size() * dim];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, data, i * dim, dim);
        }
        return new Tensor(OUTPUT, TensorType.FP32, new long[] {vectors.size(), dim}, data);
    }

    private Map<String, Object> metadata() {
        return metadata(deployment, dim);
    }

    /** Its v2 metadata: one text per row in, one {@code dim}-long vector per row out. */
    static Map<String, Object> metadata(String deployment, long dim) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", INPUT);
        input.put("datatype", "BYTES");
        input.put("shape", new long[] {-1});
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("name", OUTPUT);
        output.put("datatype", "FP32");
        output.put("shape", new long[] {-1, dim});
        return OpenInference.metadata(deployment, "onnxruntime_onnx", List.of(input), List.of(output));
    }

    /** As OpenAI's {@code /v1/embeddings} asks: the vectors its route gives, one model call for all. */
    @Override
    public List<float[]> embed(List<String> texts) throws Exception {
        return embedder.embed(texts);
    }

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
