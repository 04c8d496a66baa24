package io.modelserve.agent.builtin;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One ONNX model loaded through DJL's engine-agnostic {@link Criteria}, with its signature. Runs named
 * tensors in, named tensors out. One instance per replica: a predictor is not thread-safe.
 */
public final class OnnxModel implements AutoCloseable {
    static final String ENGINE = "OnnxRuntime";

    private final ModelSignature signature;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;

    private OnnxModel(ModelSignature signature, ZooModel<NDList, NDList> model) {
        this.signature = signature;
        this.model = model;
        this.predictor = model.newPredictor();
    }

    /**
     * @param engineOptions passed to the engine, e.g. {@code intraOpNumThreads}
     * @param device        the CPU, or a GPU whose CUDA device the session is created on
     */
    public static OnnxModel load(Path file, Map<String, String> engineOptions, ai.djl.Device device)
            throws IOException, ModelNotFoundException, MalformedModelException, OrtException {
        ModelSignature signature = ModelSignature.ofOnnx(file);
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine(ENGINE)
                .optModelPath(file)
                .optDevice(device)
                .optTranslator(new NoopTranslator());
        engineOptions.forEach(criteria::optOption);
        return new OnnxModel(signature, criteria.build().loadModel());
    }

    public ModelSignature signature() {
        return signature;
    }

    /** Runs the model once; the outputs in the model's order, copied out of native memory. */
    public List<Tensor> run(List<Tensor> inputs) throws TranslateException {
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList arrays = new NDList(inputs.size());
            for (Tensor input : inputs) {
                arrays.add(input.toNDArray(manager));
            }
            NDList results = predictor.predict(arrays);
            List<Tensor> outputs = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                String name = i < signature.outputs().size() ? signature.outputs().get(i).name() : "output_" + i;
                outputs.add(Tensor.of(name, results.get(i)));
            }
            results.close();
            return outputs;
        }
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
