package io.modelserve.examples.linear;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.Tensor;
import io.modelserve.sdk.TensorModel;
import io.modelserve.sdk.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * A linear model over 4 features, {@code score = w . x + b}, with the weights from its config
 * ({@code config.weights = 0.5,-1,2,0.25}, {@code config.bias = 0}). It declares its tensor signature,
 * so besides its route ({@code {"features": [1,2,3,4]}} -> {@code {"score": ...}}) it is served by the
 * Open Inference Protocol: input {@code features} FP32 [-1, 4] (any number of rows), outputs
 * {@code score} FP32 [-1, 1] and {@code positive} BOOL [-1].
 */
public class Linear implements TensorModel {
    private static final int FEATURES = 4;
    private volatile float[] weights = {0.5f, -1f, 2f, 0.25f};
    private volatile float bias;

    @Override
    public void init(BackendContext context) {
        reconfigure(context.config());
    }

    @Override
    public void reconfigure(Map<String, String> config) {
        String given = config.get("weights");
        if (given != null) {
            String[] parts = given.split(",");
            if (parts.length != FEATURES) {
                throw new IllegalArgumentException("config.weights needs " + FEATURES + " numbers, got " + parts.length);
            }
            float[] next = new float[FEATURES];
            for (int i = 0; i < FEATURES; i++) {
                next[i] = Float.parseFloat(parts[i].strip());
            }
            weights = next;
        }
        bias = Float.parseFloat(config.getOrDefault("bias", "0").strip());
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec("features", "FP32", new long[] {-1, FEATURES}));
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(new TensorSpec("score", "FP32", new long[] {-1, 1}), new TensorSpec("positive", "BOOL", new long[] {-1}));
    }

    @Override
    public Map<String, Tensor> infer(Map<String, Tensor> inputs) {
        float[] features = inputs.get("features").floats();
        int rows = features.length / FEATURES;
        float[] scores = new float[rows];
        boolean[] positive = new boolean[rows];
        for (int row = 0; row < rows; row++) {
            scores[row] = score(features, row * FEATURES);
            positive[row] = scores[row] > 0;
        }
        return Map.of("score", Tensor.of(scores, rows, 1), "positive", Tensor.of(positive, rows));
    }

    private float score(float[] features, int from) {
        float sum = bias;
        for (int i = 0; i < FEATURES; i++) {
            sum += weights[i] * features[from + i];
        }
        return sum;
    }

    /** Its own route: {@code {"features": [four numbers]}}. */
    @Override
    public Object inference(Request request) {
        JsonNode features = request.params().path("features");
        if (!features.isArray() || features.size() != FEATURES) {
            throw new InvalidRequestException("\"features\" must be a list of " + FEATURES + " numbers");
        }
        float[] row = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            if (!features.get(i).isNumber()) {
                throw new InvalidRequestException("\"features\"[" + i + "] must be a number, got " + features.get(i));
            }
            row[i] = features.get(i).floatValue();
        }
        return Map.of("score", score(row, 0));
    }
}
