package io.modelserve.examples.ocr;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Request;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A text line in, its text out: composes two other deployments, as PaddleOCR's pipeline does.
 *
 * <ol>
 *   <li>{@code TextOrientation} says whether the line is upside down;</li>
 *   <li>if it says 180 with a score above {@code config.cls_thresh} (0.9, PaddleOCR's default), the
 *       line is turned around;</li>
 *   <li>{@code TextRecognition} reads it.</li>
 * </ol>
 * Both calls go through the cluster's routing ({@link BackendContext#handle}), so each model runs in
 * its own replicas, batched and bounded by its own queue, and scales on its own. An error from either
 * (overloaded, timed out, a bad image) reaches the caller with its HTTP status.
 *
 * <p>{@code config.orientation} and {@code config.recognition} name the deployments to call.
 */
public class TextLineOcr implements AlgoBackend {
    private DeploymentHandle orientation;
    private DeploymentHandle recognition;
    private volatile double rotateAbove;

    @Override
    public void init(BackendContext context) {
        orientation = context.handle(context.config().getOrDefault("orientation", "TextOrientation"));
        recognition = context.handle(context.config().getOrDefault("recognition", "TextRecognition"));
        reconfigure(context.config());
    }

    @Override
    public void reconfigure(Map<String, String> config) {
        String threshold = config.getOrDefault("cls_thresh", "0.9").strip();
        double value = Double.parseDouble(threshold);
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("config.cls_thresh must be between 0 and 1, got " + threshold);
        }
        rotateAbove = value;
    }

    @Override
    public Object inference(Request request) throws Exception {
        // Decoded here too, so that a bad image is refused before any model runs, and to turn it around.
        LineImage line = LineImage.decode(request.body());
        byte[] image = request.body();
        String contentType = request.contentType() == null ? "application/octet-stream" : request.contentType();
        JsonNode direction = orientation.call(image, contentType);
        int angle = direction.path("angle").asInt();
        double angleScore = direction.path("score").asDouble();
        boolean turned = angle == 180 && angleScore > rotateAbove;
        if (turned) {
            image = line.rotated180().png();
            contentType = "image/png";
        }
        JsonNode read = recognition.call(image, contentType);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("text", read.path("text").asText());
        result.put("score", read.path("score").asDouble());
        result.put("angle", turned ? 180 : 0);
        result.put("angle_score", angleScore);
        return result;
    }
}
