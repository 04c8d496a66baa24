package io.modelserve.agent.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.modelserve.agent.builtin.BinaryTensors;
import io.modelserve.agent.grpc.v2.InferParameter;
import io.modelserve.agent.grpc.v2.InferTensorContents;
import io.modelserve.agent.grpc.v2.ModelInferRequest;
import io.modelserve.agent.grpc.v2.ModelInferResponse;
import io.modelserve.cluster.PooledJson;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * gRPC's inference messages to and from the protocol's JSON form, which {@code OpenInferenceService}
 * runs: {@code raw_input_contents} become binary inputs ({@code binary_data_size}), typed
 * {@code contents} become {@code data}; outputs go back as {@code raw_output_contents}, one per
 * output, as Triton answers.
 */
final class GrpcTensors {
    private static final ObjectMapper JSON = PooledJson.mapper();

    private GrpcTensors() {}

    /** The JSON form of a request, and the bytes of its raw inputs in input order. */
    record JsonForm(ObjectNode request, byte[] binary) {}

    /** @throws IllegalArgumentException when raw contents do not pair with the inputs */
    static JsonForm request(ModelInferRequest request) {
        ObjectNode json = JSON.createObjectNode();
        if (!request.getId().isEmpty()) {
            json.put("id", request.getId());
        }
        if (request.getParametersCount() > 0) {
            json.set("parameters", parameters(request.getParametersMap()));
        }
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw new IllegalArgumentException("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs; send one per input, in input order");
        }
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        ArrayNode inputs = json.putArray("inputs");
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            ObjectNode tensor = inputs.addObject();
            tensor.put("name", input.getName());
            tensor.put("datatype", input.getDatatype());
            ArrayNode shape = tensor.putArray("shape");
            input.getShapeList().forEach(shape::add);
            ObjectNode parameters = parameters(input.getParametersMap());
            if (raw) {
                if (input.hasContents()) {
                    throw new IllegalArgumentException("input '" + input.getName()
                            + "': has contents while raw_input_contents is used; send one or the other");
                }
                ByteString bytes = request.getRawInputContents(i);
                parameters.put(BinaryTensors.SIZE, bytes.size());
                binary.writeBytes(bytes.toByteArray());
            } else {
                tensor.set("data", data(input.getDatatype(), input.getContents()));
            }
            if (!parameters.isEmpty()) {
                tensor.set("parameters", parameters);
            }
        }
        if (request.getOutputsCount() > 0) {
            ArrayNode outputs = json.putArray("outputs");
            for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
                ObjectNode named = outputs.addObject().put("name", output.getName());
                if (output.getParametersCount() > 0) {
                    named.set("parameters", parameters(output.getParametersMap()));
                }
            }
        }
        return new JsonForm(json, binary.toByteArray());
    }

    private static ObjectNode parameters(Map<String, InferParameter> parameters) {
        ObjectNode json = JSON.createObjectNode();
        parameters.forEach((key, value) -> {
            switch (value.getParameterChoiceCase()) {
                case BOOL_PARAM -> json.put(key, value.getBoolParam());
                case INT64_PARAM -> json.put(key, value.getInt64Param());
                case STRING_PARAM -> json.put(key, value.getStringParam());
                case PARAMETERCHOICE_NOT_SET -> json.putNull(key);
            }
        });
        return json;
    }

    /** Typed contents as JSON values, read from the field the protocol assigns to the datatype. */
    private static ArrayNode data(String datatype, InferTensorContents contents) {
        ArrayNode data = JSON.createArrayNode();
        switch (datatype) {
            case "BOOL" -> contents.getBoolContentsList().forEach(data::add);
            case "INT8", "INT16", "INT32" -> contents.getIntContentsList().forEach(data::add);
            case "INT64" -> contents.getInt64ContentsList().forEach(data::add);
            case "UINT8", "UINT16", "UINT32" -> contents.getUintContentsList().forEach(v -> data.add(Integer.toUnsignedLong(v)));
            case "UINT64" -> contents.getUint64ContentsList().forEach(v -> data.add(new java.math.BigInteger(Long.toUnsignedString(v))));
            case "FP32" -> contents.getFp32ContentsList().forEach(data::add);
            case "FP64" -> contents.getFp64ContentsList().forEach(data::add);
            case "BYTES" -> contents.getBytesContentsList().forEach(v -> data.add(v.toStringUtf8()));
            default -> { } // The model's datatype check names the input.
        }
        return data;
    }

    /** A served answer's JSON as the protocol's response, every output's data in raw_output_contents. */
    static ModelInferResponse response(JsonNode answer) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(answer.path("model_name").asText())
                .setModelVersion(answer.path("model_version").asText());
        if (answer.has("id")) {
            response.setId(answer.get("id").asText());
        }
        for (JsonNode output : answer.path("outputs")) {
            ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(output.path("name").asText())
                    .setDatatype(output.path("datatype").asText());
            output.path("shape").forEach(dimension -> tensor.addShape(dimension.asLong()));
            response.addOutputs(tensor);
            response.addRawOutputContents(ByteString.copyFrom(
                    BinaryTensors.encode(output.path("datatype").asText(), output.path("data"))));
        }
        return response.build();
    }
}
