package io.modelserve.agent.builtin;

import io.modelserve.agent.runtime.PluginProtocol;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.TensorModel;
import io.modelserve.sdk.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol for a plugin: the calls {@link OpenInferenceService} sends a replica
 * (metadata, infer), answered from the plugin's {@link TensorModel} signature and {@code infer}, as a
 * built-in backend answers them from its model file. Inputs are checked against the declared specs
 * by the same code as a built-in's (400 naming the input), and what {@code infer} returns against the
 * declared outputs (a plugin's mistake: 500). A plugin that is no {@code TensorModel} answers that it
 * is not one ({@link #NOT_TENSOR_MODEL}), which the service answers 404; its route never sees the call.
 */
public final class PluginTensorCalls implements PluginProtocol {
    /** The key of the answer of a plugin that declares no tensor signature. */
    public static final String NOT_TENSOR_MODEL = "not_tensor_model";
    static final String PLATFORM = "modelserve_plugin";

    private final String deployment;

    /** @param deployment the replica's deployment ({@code Main@label} for a canary): the answer names it */
    public PluginTensorCalls(String deployment) {
        this.deployment = deployment;
    }

    @Override
    public boolean handles(Request request) {
        return OpenInference.isMetadata(request) || OpenInference.isInfer(request);
    }

    @Override
    public Object answer(AlgoBackend backend, Request request) throws Exception {
        if (!(backend instanceof TensorModel model)) {
            return Map.of(NOT_TENSOR_MODEL, backend.getClass().getName(), OpenInference.ERROR, "model '" + deployment
                    + "' is served by a plugin (" + backend.getClass().getName() + ") that declares no tensor signature"
                    + " (io.modelserve.sdk.TensorModel)");
        }
        ModelSignature signature = signature(model);
        if (OpenInference.isMetadata(request)) {
            return OpenInference.metadata(deployment, PLATFORM, signature.inputs().stream().map(TensorSignature::describe).toList(),
                    signature.outputs().stream().map(TensorSignature::describe).toList());
        }
        return switch (OpenInference.decode(request.params(), signature)) {
            case OpenInference.Invalid invalid -> OpenInference.error(invalid.message());
            case OpenInference.Inputs inputs -> OpenInference.response(deployment, inputs, outputs(signature,
                    model.infer(sdkTensors(inputs))));
        };
    }

    /** The declared specs as the protocol's code checks them; a spec the protocol cannot carry fails the call (500). */
    static ModelSignature signature(TensorModel model) {
        return new ModelSignature(signatures(model.inputs(), "input"), signatures(model.outputs(), "output"));
    }

    private static List<TensorSignature> signatures(List<TensorSpec> specs, String kind) {
        if (specs == null || specs.isEmpty()) {
            throw new IllegalStateException("the plugin declares no " + kind + "s (TensorModel." + kind + "s())");
        }
        List<TensorSignature> signatures = new ArrayList<>(specs.size());
        for (TensorSpec spec : specs) {
            TensorType type = TensorType.named(spec.datatype()).orElseThrow(() -> new IllegalStateException(
                    "the plugin's " + kind + " '" + spec.name() + "' has datatype " + spec.datatype()));
            signatures.add(new TensorSignature(spec.name(), type, spec.shape()));
        }
        return signatures;
    }

    private static Map<String, io.modelserve.sdk.Tensor> sdkTensors(OpenInference.Inputs inputs) {
        Map<String, io.modelserve.sdk.Tensor> byName = new LinkedHashMap<>();
        for (Tensor input : inputs.inputs()) {
            // The decoded arrays belong to this call alone: handed over without a copy.
            byName.put(input.name(), io.modelserve.sdk.Tensor.wrap(input.type().name(), input.shape(), input.data()));
        }
        return byName;
    }

    /** Every declared output, in the declared order, checked against its spec. */
    private static List<Tensor> outputs(ModelSignature signature, Map<String, io.modelserve.sdk.Tensor> given) {
        if (given == null) {
            throw new IllegalStateException("the plugin's infer returned null; it must return every declared output");
        }
        List<Tensor> outputs = new ArrayList<>(signature.outputs().size());
        for (TensorSignature expected : signature.outputs()) {
            io.modelserve.sdk.Tensor tensor = given.get(expected.name());
            if (tensor == null) {
                throw new IllegalStateException("the plugin's infer returned no output '" + expected.name() + "'; it declares "
                        + OpenInference.describe(signature.outputs()));
            }
            if (!tensor.datatype().equals(expected.type().name()) || !expected.accepts(tensor.shape())) {
                throw new IllegalStateException("the plugin's output '" + expected.name() + "' is " + tensor.datatype() + " "
                        + OpenInference.shapeText(tensor.shape()) + "; it declares " + expected.type() + " "
                        + OpenInference.shapeText(expected.shape()));
            }
            outputs.add(new Tensor(expected.name(), expected.type(), tensor.shape(), tensor.data()));
        }
        return outputs;
    }
}
