package io.modelserve.examples.ocr;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.Map;

/**
 * PaddleOCR's text direction classifier ({@code ch_ppocr_mobile_v2.0_cls_infer.onnx}): is a text line
 * upright (0) or upside down (180)?
 *
 * <p>POST the image of one text line as the body; the answer is {@code {"angle": 0 | 180, "score": p}}.
 * The model sees the line resized to 48 pixels high and padded to 192 wide (longer lines are squeezed
 * into 192), as PaddleOCR feeds it.
 */
public class TextOrientation implements AlgoBackend {
    static final int WIDTH = 192;
    private static final int[] ANGLES = {0, 180};

    private OnnxModel model;

    @Override
    public void init(BackendContext context) throws Exception {
        model = OnnxModel.load(ModelFiles.ending(context.modelPaths(), ".onnx", context.deployment()), context.config());
    }

    @Override
    public Object inference(Request request) throws Exception {
        return classify(LineImage.decode(request.body()));
    }

    Map<String, Object> classify(LineImage line) throws Exception {
        OnnxModel.Output output = model.run(line.tensor(WIDTH), 1, 3, LineImage.HEIGHT, WIDTH);
        float[] probs = output.values();
        if (probs.length != ANGLES.length) {
            throw new IllegalStateException("the orientation model answered " + probs.length + " classes, expected 2 (0, 180)");
        }
        int best = probs[1] > probs[0] ? 1 : 0;
        return Map.of("angle", ANGLES[best], "score", probs[best]);
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
