package io.modelserve.examples.ocr;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.Map;

/**
 * PaddleOCR v4 text line recognition ({@code ch_PP-OCRv4_rec_infer.onnx} with {@code ppocr_keys_v1.txt}):
 * Chinese and Latin characters, digits and punctuation.
 *
 * <p>POST the image of one upright text line as the body; the answer is {@code {"text": "...", "score": p}},
 * the score being the mean probability of the recognised characters. The line is resized to 48 pixels
 * high and zero-padded to at least 320 wide (PaddleOCR's {@code rec_image_shape = 3,48,320}); wider
 * lines keep their width.
 */
public class TextRecognition implements AlgoBackend {
    static final int MIN_WIDTH = 320;

    private OnnxModel model;
    private CtcAlphabet alphabet;

    @Override
    public void init(BackendContext context) throws Exception {
        alphabet = CtcAlphabet.fromKeys(ModelFiles.ending(context.modelPaths(), ".txt", context.deployment()));
        model = OnnxModel.load(ModelFiles.ending(context.modelPaths(), ".onnx", context.deployment()), context.config());
        // Fail at start, not on the first request, when the keys file does not belong to the model.
        OnnxModel.Output probe = model.run(new float[3 * LineImage.HEIGHT * MIN_WIDTH], 1, 3, LineImage.HEIGHT, MIN_WIDTH);
        long classes = probe.shape()[probe.shape().length - 1];
        if (classes != alphabet.size()) {
            throw new IllegalArgumentException("the recognition model emits " + classes + " classes but the keys file gives "
                    + alphabet.size() + " (blank + " + (alphabet.size() - 2) + " keys + space): model and keys do not match");
        }
    }

    @Override
    public Object inference(Request request) throws Exception {
        CtcAlphabet.Decoded decoded = recognise(LineImage.decode(request.body()));
        return Map.of("text", decoded.text(), "score", decoded.score());
    }

    CtcAlphabet.Decoded recognise(LineImage line) throws Exception {
        int width = Math.max(MIN_WIDTH, line.resizedWidth());
        OnnxModel.Output output = model.run(line.tensor(width), 1, 3, LineImage.HEIGHT, width);
        long[] shape = output.shape();
        return alphabet.decode(output.values(), Math.toIntExact(shape[shape.length - 2]));
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
