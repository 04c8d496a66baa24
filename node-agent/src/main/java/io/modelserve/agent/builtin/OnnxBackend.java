package io.modelserve.agent.builtin;

import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code builtin:onnx}: any ONNX model, raw tensors in and out. Its route takes the body of an Open
 * Inference Protocol infer call ({@code {"inputs": [{"name", "datatype", "shape", "data"}]}}) and
 * answers the v2 response; the inputs' names, types and shapes are checked against the model's own.
 * Requests batched by the replica are stacked into one model call where the model allows it.
 */
final class OnnxBackend extends TensorBackend {
    static final String NAME = "onnx";

    OnnxBackend(Map<String, String> options, OnnxDevices devices) {
        super(options, devices);
    }

    OnnxBackend(Map<String, String> options) {
        this(options, OnnxDevices.REAL);
    }

    @Override
    String builtinName() {
        return "builtin:" + NAME;
    }

    @Override
    List<Object> serveRoute(List<Request> requests) {
        Object[] results = new Object[requests.size()];
        List<Integer> slots = new ArrayList<>();
        List<OpenInference.Inputs> calls = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            switch (OpenInference.decode(requests.get(i).params(), model.signature())) {
                // The caller's input, named in the message: answered 400 on the route, not 500.
                case OpenInference.Invalid invalid -> results[i] = new io.modelserve.sdk.InvalidRequestException(invalid.message());
                case OpenInference.Inputs inputs -> {
                    slots.add(i);
                    calls.add(inputs);
                }
            }
        }
        List<Object> outputs = runAll(calls);
        for (int k = 0; k < slots.size(); k++) {
            Object output = outputs.get(k);
            results[slots.get(k)] = output instanceof Throwable ? output
                    : OpenInference.response(deployment, calls.get(k), castTensors(output));
        }
        return java.util.Arrays.asList(results);
    }
}
