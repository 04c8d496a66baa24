package io.modelserve.agent.builtin;

import ai.djl.engine.Engine;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A model's inputs and outputs, in the model's order, read from the model file itself. */
public record ModelSignature(List<TensorSignature> inputs, List<TensorSignature> outputs) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSignature> input(String name) {
        return inputs.stream().filter(input -> input.name().equals(name)).findFirst();
    }

    /**
     * Reads an ONNX file's graph inputs and outputs with ONNX Runtime. DJL's model API gives names and
     * shapes but no element types, so this opens a short-lived session of its own on the same file.
     *
     * @throws IllegalArgumentException naming the tensor whose type is not served
     */
    public static ModelSignature ofOnnx(Path modelFile) throws OrtException {
        // DJL loads ONNX Runtime's native library its own way (offline cache, platform jar); touching
        // OrtEnvironment first would load a second copy from the onnxruntime jar.
        Engine.getEngine("OnnxRuntime");
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = environment.createSession(modelFile.toString(), options)) {
            return new ModelSignature(tensors("input", session.getInputInfo()), tensors("output", session.getOutputInfo()));
        }
    }

    private static List<TensorSignature> tensors(String kind, Map<String, NodeInfo> nodes) {
        List<TensorSignature> tensors = new ArrayList<>(nodes.size());
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new IllegalArgumentException("the model's " + kind + " '" + node.getName()
                        + "' is not a tensor (" + node.getInfo() + "); built-in backends serve tensors only");
            }
            TensorType type = switch (info.onnxType) {
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> TensorType.BOOL;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> TensorType.UINT8;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> TensorType.INT8;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> TensorType.INT32;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> TensorType.INT64;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> TensorType.FP32;
                case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> TensorType.FP64;
                default -> throw new IllegalArgumentException("the model's " + kind + " '" + node.getName()
                        + "' has element type " + info.onnxType + ", which built-in backends do not serve"
                        + " (served: BOOL, UINT8, INT8, INT32, INT64, FP32, FP64)");
            };
            tensors.add(new TensorSignature(node.getName(), type, info.getShape(), info.getDimensionNames()));
        }
        return tensors;
    }
}
