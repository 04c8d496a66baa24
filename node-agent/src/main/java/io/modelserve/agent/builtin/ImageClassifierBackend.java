package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code builtin:image-classifier}: an image in, the top-N classes out as
 * {@code [{"label", "index", "score"}]}, best first.
 *
 * <p>Takes the image as the raw body (JPEG or PNG), as {@code {"image": "<base64>"}}, or as Cluster
 * Serving's {@code {"instances": [{"image": "<base64>"}, ...]}}, which is answered with one list per
 * instance. Preprocessing follows the section's keys ({@link ImagePreprocessing}); the model's first
 * input takes the image batch, its first output the class scores. {@code softmax = auto} turns scores
 * into probabilities unless a row already is one. All images of a replica's batch run as one call
 * when the model's batch dimension is free.
 */
final class ImageClassifierBackend extends TensorBackend {
    static final String NAME = "image-classifier";
    private static final int DEFAULT_TOP_N = 5;

    private ImagePreprocessing preprocessing;
    private int topN;
    private List<String> labels = List.of();
    private String softmax;

    ImageClassifierBackend(Map<String, String> options) {
        this(options, OnnxDevices.REAL);
    }

    ImageClassifierBackend(Map<String, String> options, OnnxDevices devices) {
        super(options, devices);
    }

    @Override
    String builtinName() {
        return "builtin:" + NAME;
    }

    @Override
    public void init(BackendContext context) throws Exception {
        super.init(context);
        ModelSignature signature = model.signature();
        if (signature.inputs().size() != 1 || signature.inputs().getFirst().type() != TensorType.FP32) {
            throw new IllegalArgumentException(builtinName() + " needs a model with one FP32 image input, got "
                    + OpenInference.describe(signature.inputs()));
        }
        preprocessing = ImagePreprocessing.of(options, signature.inputs().getFirst().shape());
        topN = options.containsKey("filter") ? BuiltinOptionChecks.topN(options.get("filter")) : DEFAULT_TOP_N;
        softmax = BuiltinOptionChecks.oneOf("auto", "true", "false").apply(options.getOrDefault("softmax", "auto"));
        if (options.containsKey("labels")) {
            labels = Files.readAllLines(ModelFiles.named(context.modelPaths(), options.get("labels").strip()),
                    StandardCharsets.UTF_8).stream().map(String::strip).toList();
        }
    }

    /** Images of one request, and whether it asked in the {@code instances} form (then a list per image). */
    private record Images(List<BufferedImage> images, boolean instances) {}

    @Override
    List<Object> serveRoute(List<Request> requests) {
        Object[] results = new Object[requests.size()];
        List<Images> decoded = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < results.length; i++) {
            try {
                Images images = images(requests.get(i));
                decoded.add(images);
                slots.add(i);
                total += images.images().size();
            } catch (IllegalArgumentException e) {
                // The body or its "image"/"instances" field: the caller's to fix, answered 400.
                results[i] = new io.modelserve.sdk.InvalidRequestException(e.getMessage());
            }
        }
        if (total > 0) {
            classifyAll(decoded, slots, total, results);
        }
        return java.util.Arrays.asList(results);
    }

    private void classifyAll(List<Images> decoded, List<Integer> slots, int total, Object[] results) {
        List<float[]> scores;
        try {
            scores = scores(decoded, total);
        } catch (Exception e) {
            for (int slot : slots) {
                results[slot] = e;
            }
            return;
        }
        int next = 0;
        for (int k = 0; k < decoded.size(); k++) {
            Images images = decoded.get(k);
            List<Object> perImage = new ArrayList<>();
            for (int j = 0; j < images.images().size(); j++) {
                perImage.add(top(scores.get(next++)));
            }
            results[slots.get(k)] = images.instances() ? perImage : perImage.getFirst();
        }
    }

    /** Class scores per image, in order: one model call when the batch dimension is free, else one per image. */
    private List<float[]> scores(List<Images> decoded, int total) throws Exception {
        List<BufferedImage> all = new ArrayList<>(total);
        decoded.forEach(images -> all.addAll(images.images()));
        String input = model.signature().inputs().getFirst().name();
        int perCall = model.signature().inputs().getFirst().batchable() ? all.size() : 1;
        List<float[]> scores = new ArrayList<>(total);
        for (int from = 0; from < all.size(); from += perCall) {
            int count = Math.min(perCall, all.size() - from);
            float[] batch = new float[count * preprocessing.rowLength()];
            for (int j = 0; j < count; j++) {
                preprocessing.write(all.get(from + j), batch, j * preprocessing.rowLength());
            }
            Tensor output = model.run(List.of(new Tensor(input, TensorType.FP32, preprocessing.shape(count), batch)))
                    .getFirst();
            if (output.type() != TensorType.FP32) {
                throw new IllegalStateException("the model's first output is " + output.type() + ", not FP32 class scores");
            }
            float[] values = (float[]) output.data();
            int classes = values.length / count;
            for (int j = 0; j < count; j++) {
                scores.add(java.util.Arrays.copyOfRange(values, j * classes, (j + 1) * classes));
            }
        }
        return scores;
    }

    private Images images(Request request) {
        JsonNode params = request.params();
        if (params.has("instances")) {
            JsonNode instances = params.get("instances");
            if (!instances.isArray() || instances.isEmpty()) {
                throw new IllegalArgumentException("\"instances\" must be a non-empty list of {\"image\": \"<base64>\"}");
            }
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                images.add(ImagePreprocessing.decode(base64(instances.get(i).get("image"), "instances[" + i + "].image")));
            }
            return new Images(images, true);
        }
        if (params.has("image")) {
            return new Images(List.of(ImagePreprocessing.decode(base64(params.get("image"), "image"))), false);
        }
        if (request.body().length == 0) {
            throw new IllegalArgumentException("send a JPEG or PNG image as the body, or {\"image\": \"<base64>\"},"
                    + " or {\"instances\": [{\"image\": \"<base64>\"}]}");
        }
        return new Images(List.of(ImagePreprocessing.decode(request.body())), false);
    }

    private static byte[] base64(JsonNode node, String where) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(where + " must be a base64 string of a JPEG or PNG image");
        }
        String text = node.asText();
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1; // data:image/png;base64,....
        try {
            return Base64.getMimeDecoder().decode(text.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not valid base64: " + e.getMessage());
        }
    }

    /** The best {@code topN} classes, best first. */
    List<Map<String, Object>> top(float[] scores) {
        float[] probabilities = applySoftmax(scores) ? softmax(scores) : scores;
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probabilities[b], probabilities[a]));
        List<Map<String, Object>> top = new ArrayList<>();
        for (int k = 0; k < Math.min(topN, order.length); k++) {
            int index = order[k];
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", index < labels.size() ? labels.get(index) : String.valueOf(index));
            entry.put("index", index);
            entry.put("score", probabilities[index]);
            top.add(entry);
        }
        return top;
    }

    private boolean applySoftmax(float[] scores) {
        return switch (softmax) {
            case "true" -> true;
            case "false" -> false;
            default -> !isDistribution(scores);
        };
    }

    private static boolean isDistribution(float[] scores) {
        double sum = 0;
        for (float score : scores) {
            if (score < 0 || score > 1) {
                return false;
            }
            sum += score;
        }
        return Math.abs(sum - 1) < 1e-3;
    }

    private static float[] softmax(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float score : scores) {
            max = Math.max(max, score);
        }
        double sum = 0;
        float[] result = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            result[i] = (float) Math.exp(scores[i] - max);
            sum += result[i];
        }
        for (int i = 0; i < result.length; i++) {
            result[i] /= (float) sum;
        }
        return result;
    }
}
