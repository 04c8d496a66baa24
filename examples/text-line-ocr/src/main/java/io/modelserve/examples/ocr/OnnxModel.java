package io.modelserve.examples.ocr;

import ai.djl.MalformedModelException;
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
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** One ONNX model on OnnxRuntime through DJL, fed one float tensor, answering one float tensor. */
final class OnnxModel implements AutoCloseable {

    /** A model output: values in row-major order and their shape. */
    record Output(float[] values, long[] shape) {}

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;

    private OnnxModel(ZooModel<NDList, NDList> model) {
        this.model = model;
        this.predictor = model.newPredictor();
    }

    /** {@code config.threads} caps OnnxRuntime's intra-op threads, so replicas sharing a node do not oversubscribe it. */
    static OnnxModel load(Path onnx, Map<String, String> config) throws IOException, ModelNotFoundException, MalformedModelException {
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("OnnxRuntime")
                .optModelPath(onnx)
                .optTranslator(new NoopTranslator());
        String threads = config.get("threads");
        if (threads != null && !threads.isBlank()) {
            criteria.optOption("intraOpNumThreads", String.valueOf(Integer.parseInt(threads.strip())));
        }
        return new OnnxModel(criteria.build().loadModel());
    }

    Output run(float[] input, long... shape) throws TranslateException {
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray output = predictor.predict(new NDList(manager.create(input, new Shape(shape)))).get(0);
            return new Output(output.toFloatArray(), output.getShape().getShape());
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
