package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Open Inference Protocol (KServe v2) as JSON: tensors in and out, model metadata, errors.
 *
 * <p>The ingress hands a v2 call to a replica as an ordinary request whose content type says which
 * call it is ({@link #METADATA_TYPE}, {@link #INFER_TYPE}), so it is routed, queued, batched and
 * forwarded to other nodes like any request. A replica answers a request the caller got wrong with
 * {@link #error(String)} as its result rather than by throwing, so that the ingress can tell a 400
 * (the caller's tensors) from a 500 (the model failed).
 */
public final class OpenInference {
    public static final String METADATA_TYPE = "application/x-modelserve-v2-metadata";
    public static final String INFER_TYPE = "application/x-modelserve-v2-infer";
    public static final String ERROR = "error";

    private OpenInference() {}

    public static boolean isMetadata(Request request) {
        return METADATA_TYPE.equals(request.contentType());
    }

    public static boolean isInfer(Request request) {
        return INFER_TYPE.equals(request.contentType());
    }

    /** What a v2 infer request asks for, or why it cannot be run. */
    public sealed interface Decoded permits Inputs, Invalid {}

    /**
     * @param inputs           in the model's input order
     * @param requestedOutputs the outputs named under "outputs"; empty means all
     */
    public record Inputs(String id, List<Tensor> inputs, List<String> requestedOutputs) implements Decoded {}

    public record Invalid(String message) implements Decoded {}

    /** Checks every input against the model's signature; the first problem names the input. */
    public static Decoded decode(JsonNode body, ModelSignature signature) {
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            return new Invalid("the request needs \"inputs\": a non-empty list of tensors; the model takes "
                    + describe(signature.inputs()));
        }
        Map<String, Tensor> given = new LinkedHashMap<>();
        for (JsonNode input : inputs) {
            JsonNode name = input.get("name");
            if (name == null || !name.isTextual()) {
                return new Invalid("every input needs a \"name\"; the model takes " + describe(signature.inputs()));
            }
            TensorSignature expected = signature.input(name.asText()).orElse(null);
            if (expected == null) {
                return new Invalid("unknown input '" + name.asText() + "'; the model takes " + describe(signature.inputs()));
            }
            if (given.containsKey(expected.name())) {
                return new Invalid("input '" + expected.name() + "' is given twice");
            }
            Object tensor = tensor(input, expected);
            if (tensor instanceof Invalid invalid) {
                return invalid;
            }
            given.put(expected.name(), (Tensor) tensor);
        }
        List<Tensor> ordered = new ArrayList<>(signature.inputs().size());
        for (TensorSignature expected : signature.inputs()) {
            Tensor tensor = given.get(expected.name());
            if (tensor == null) {
                return new Invalid("missing input '" + expected.name() + "' " + shapeAndType(expected)
                        + "; the model takes " + describe(signature.inputs()));
            }
            ordered.add(tensor);
        }
        Invalid mismatch = freeDimensionsDisagree(signature.inputs(), ordered);
        if (mismatch != null) {
            return mismatch;
        }
        List<String> requested = new ArrayList<>();
        JsonNode outputs = body.get("outputs");
        if (outputs != null && outputs.isArray()) {
            Set<String> known = signature.outputs().stream().map(TensorSignature::name).collect(Collectors.toSet());
            for (JsonNode output : outputs) {
                String name = output.path("name").asText("");
                if (!known.contains(name)) {
                    return new Invalid("unknown output '" + name + "'; the model gives " + describe(signature.outputs()));
                }
                requested.add(name);
            }
        }
        JsonNode id = body.get("id");
        return new Inputs(id != null && id.isTextual() ? id.asText() : null, ordered, requested);
    }

    /**
     * Free dimensions the model names alike (a batch and sequence length shared by token ids and their
     * mask) must be equal: otherwise ONNX Runtime fails the run with its own text, which is the
     * caller's mistake told as a model failure.
     */
    private static Invalid freeDimensionsDisagree(List<TensorSignature> expected, List<Tensor> given) {
        Map<String, String> firstSeen = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            String[] names = expected.get(i).dimensionNames();
            long[] shape = given.get(i).shape();
            for (int d = 0; d < names.length; d++) {
                if (names[d].isEmpty()) {
                    continue;
                }
                String where = "input '" + expected.get(i).name() + "' dimension " + d;
                Long seen = sizes.putIfAbsent(names[d], shape[d]);
                if (seen == null) {
                    firstSeen.put(names[d], where);
                } else if (seen != shape[d]) {
                    return new Invalid(where + " is " + shape[d] + " where " + firstSeen.get(names[d]) + " is " + seen
                            + "; the model names both '" + names[d] + "', so they must be equal");
                }
            }
        }
        return null;
    }

    /** A {@link Tensor}, or {@link Invalid} naming the input. */
    private static Object tensor(JsonNode input, TensorSignature expected) {
        String name = expected.name();
        String datatype = input.path("datatype").asText("");
        TensorType type = TensorType.named(datatype).orElse(null);
        if (type == null || type != expected.type()) {
            return new Invalid("input '" + name + "': datatype " + (datatype.isEmpty() ? "missing" : "'" + datatype + "'")
                    + " does not match the model's " + expected.type());
        }
        JsonNode shapeNode = input.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            return new Invalid("input '" + name + "': \"shape\" must be a list of dimensions, e.g. "
                    + shapeText(expected.shape()));
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dimension = shapeNode.get(i);
            if (!dimension.canConvertToLong() || !dimension.isIntegralNumber() || dimension.asLong() < 0) {
                return new Invalid("input '" + name + "': shape must hold non-negative whole numbers, got " + shapeNode);
            }
            shape[i] = dimension.asLong();
        }
        if (!expected.accepts(shape)) {
            return new Invalid("input '" + name + "': shape " + shapeText(shape) + " does not match the model's "
                    + shapeText(expected.shape()) + " (-1 = any size)");
        }
        List<JsonNode> values = new ArrayList<>();
        JsonNode data = input.get("data");
        if (data == null || !data.isArray()) {
            return new Invalid("input '" + name + "': \"data\" must be a list of values, row-major");
        }
        flatten(data, values);
        long expectedCount;
        try {
            expectedCount = Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            return new Invalid("input '" + name + "': shape " + shapeText(shape) + " is too large");
        }
        if (values.size() != expectedCount) {
            return new Invalid("input '" + name + "': " + values.size() + " values for shape " + shapeText(shape)
                    + ", which holds " + expectedCount);
        }
        try {
            return new Tensor(name, type, shape, TensorValues.read(type, values));
        } catch (IllegalArgumentException e) {
            return new Invalid("input '" + name + "': " + e.getMessage());
        }
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        for (JsonNode element : node) {
            if (element.isArray()) {
                flatten(element, into);
            } else {
                into.add(element);
            }
        }
    }

    /** The v2 infer response: the outputs asked for (all when none were named), in the model's order. */
    public static Map<String, Object> response(String model, Inputs request, List<Tensor> outputs) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("model_name", model);
        if (request.id() != null) {
            response.put("id", request.id());
        }
        Set<String> wanted = new HashSet<>(request.requestedOutputs());
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (Tensor output : outputs) {
            if (wanted.isEmpty() || wanted.contains(output.name())) {
                Map<String, Object> tensor = new LinkedHashMap<>();
                tensor.put("name", output.name());
                tensor.put("datatype", output.type().name());
                tensor.put("shape", output.shape());
                tensor.put("data", output.jsonData());
                tensors.add(tensor);
            }
        }
        response.put("outputs", tensors);
        return response;
    }

    /** The v2 model metadata: name, platform, inputs and outputs with datatypes and shapes. */
    public static Map<String, Object> metadata(String model, String platform, List<Map<String, Object>> inputs,
            List<Map<String, Object>> outputs) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", model);
        metadata.put("versions", List.of());
        metadata.put("platform", platform);
        metadata.put("inputs", inputs);
        metadata.put("outputs", outputs);
        return metadata;
    }

    public static Map<String, Object> metadata(String model, ModelSignature signature) {
        return metadata(model, "onnxruntime_onnx", signature.inputs().stream().map(TensorSignature::describe).toList(),
                signature.outputs().stream().map(TensorSignature::describe).toList());
    }

    public static Map<String, Object> error(String message) {
        return Map.of(ERROR, message);
    }

    static String describe(List<TensorSignature> tensors) {
        return tensors.stream().map(t -> t.name() + " " + shapeAndType(t)).collect(Collectors.joining(", "));
    }

    private static String shapeAndType(TensorSignature tensor) {
        return "(" + tensor.type() + " " + shapeText(tensor.shape()) + ")";
    }

    static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return text.append(']').toString();
    }
}
