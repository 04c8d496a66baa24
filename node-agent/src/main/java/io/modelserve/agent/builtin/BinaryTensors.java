package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Open Inference Protocol's binary tensor data extension (Triton's): tensors as raw bytes after
 * the JSON, little-endian, row-major, unpadded; BOOL one byte, BYTES each element a 4-byte length and
 * its bytes. An input says it is binary with {@code parameters.binary_data_size}; an output is sent
 * binary when its request says {@code parameters.binary_data: true}, or the request says
 * {@code parameters.binary_data_output: true} for all outputs.
 *
 * <p>Departure: binary inputs are turned into the JSON form ({@code data}) at the ingress, so a replica
 * and a forwarded request see one kind of request. What the extension saves is on the wire and in
 * parsing number text, not in that hop. gRPC's {@code raw_input_contents} take the same path.
 */
public final class BinaryTensors {
    public static final String SIZE = "binary_data_size";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BinaryTensors() {}

    /** How many bytes one element of {@code datatype} takes; 0 for BYTES (variable), -1 when unknown. */
    static int elementSize(String datatype) {
        return switch (datatype) {
            case "BOOL", "UINT8", "INT8" -> 1;
            case "UINT16", "INT16", "FP16", "BF16" -> 2;
            case "UINT32", "INT32", "FP32" -> 4;
            case "UINT64", "INT64", "FP64" -> 8;
            case "BYTES" -> 0;
            default -> -1;
        };
    }

    /**
     * Replaces every binary input's {@code binary_data_size} by its values as {@code data}, reading
     * {@code binary} in input order. Null when done; else what is wrong, naming the input. Every byte
     * must belong to an input: trailing bytes are refused, since they mean the sizes are wrong.
     */
    public static String inline(ObjectNode request, byte[] binary) {
        JsonNode inputs = request.get("inputs");
        ByteBuffer bytes = ByteBuffer.wrap(binary).order(ByteOrder.LITTLE_ENDIAN);
        if (inputs != null && inputs.isArray()) {
            for (JsonNode input : inputs) {
                if (!(input instanceof ObjectNode tensor) || !(tensor.path("parameters").get(SIZE) instanceof JsonNode size)) {
                    continue;
                }
                String problem = inlineOne(tensor, size, bytes);
                if (problem != null) {
                    return "input '" + tensor.path("name").asText("?") + "': " + problem;
                }
            }
        }
        if (bytes.hasRemaining()) {
            return bytes.remaining() + " bytes follow the tensors' binary data: the inputs' " + SIZE
                    + " add up to " + bytes.position() + " of the " + binary.length + " bytes after the JSON";
        }
        return null;
    }

    private static String inlineOne(ObjectNode tensor, JsonNode sizeNode, ByteBuffer bytes) {
        if (!sizeNode.canConvertToLong() || !sizeNode.isIntegralNumber() || sizeNode.asLong() < 0) {
            return SIZE + " must be a whole number of bytes, got " + sizeNode;
        }
        long size = sizeNode.asLong();
        if (tensor.has("data")) {
            return "has both \"data\" and " + SIZE + "; send one";
        }
        if (size > bytes.remaining()) {
            return SIZE + " " + size + " is more than the " + bytes.remaining() + " bytes left after the JSON";
        }
        String datatype = tensor.path("datatype").asText("");
        int elementSize = elementSize(datatype);
        if (elementSize < 0) {
            return "unknown datatype '" + datatype + "'";
        }
        long count = elementCount(tensor.get("shape"));
        if (count < 0) {
            return "\"shape\" must be a list of non-negative whole numbers, got " + tensor.get("shape");
        }
        ByteBuffer slice = bytes.slice(bytes.position(), (int) size).order(ByteOrder.LITTLE_ENDIAN);
        bytes.position(bytes.position() + (int) size);
        ArrayNode data = NODES.arrayNode();
        if (elementSize == 0) {
            while (slice.hasRemaining()) {
                if (slice.remaining() < 4) {
                    return "BYTES data ends inside an element's 4-byte length";
                }
                long length = Integer.toUnsignedLong(slice.getInt());
                if (length > slice.remaining()) {
                    return "a BYTES element of " + length + " bytes runs past its " + size + " bytes";
                }
                byte[] element = new byte[(int) length];
                slice.get(element);
                data.add(new String(element, StandardCharsets.UTF_8));
            }
            if (data.size() != count) {
                return data.size() + " BYTES elements for shape " + tensor.get("shape") + ", which holds " + count;
            }
        } else {
            if (count * elementSize != size) {
                return SIZE + " is " + size + " bytes, but shape " + tensor.get("shape") + " of " + datatype + " takes "
                        + count + " x " + elementSize + " = " + count * elementSize;
            }
            for (long i = 0; i < count; i++) {
                data.add(read(datatype, slice));
            }
        }
        tensor.set("data", data);
        ObjectNode parameters = (ObjectNode) tensor.get("parameters");
        parameters.remove(SIZE);
        if (parameters.isEmpty()) {
            tensor.remove("parameters");
        }
        return null;
    }

    private static JsonNode read(String datatype, ByteBuffer in) {
        return switch (datatype) {
            case "BOOL" -> NODES.booleanNode(in.get() != 0);
            case "UINT8" -> NODES.numberNode(Byte.toUnsignedInt(in.get()));
            case "INT8" -> NODES.numberNode(in.get());
            case "UINT16" -> NODES.numberNode(Short.toUnsignedInt(in.getShort()));
            case "INT16" -> NODES.numberNode(in.getShort());
            case "FP16" -> NODES.numberNode(Float.float16ToFloat(in.getShort()));
            case "BF16" -> NODES.numberNode(Float.intBitsToFloat((in.getShort() & 0xffff) << 16));
            case "UINT32" -> NODES.numberNode(Integer.toUnsignedLong(in.getInt()));
            case "INT32" -> NODES.numberNode(in.getInt());
            case "FP32" -> NODES.numberNode(in.getFloat());
            case "UINT64" -> NODES.numberNode(new BigInteger(Long.toUnsignedString(in.getLong())));
            case "INT64" -> NODES.numberNode(in.getLong());
            case "FP64" -> NODES.numberNode(in.getDouble());
            default -> throw new IllegalArgumentException("unknown datatype " + datatype);
        };
    }

    /** The number of elements, or -1 when the shape is not a list of non-negative whole numbers. */
    static long elementCount(JsonNode shape) {
        if (shape == null || !shape.isArray()) {
            return -1;
        }
        long count = 1;
        for (JsonNode dimension : shape) {
            if (!dimension.isIntegralNumber() || !dimension.canConvertToLong() || dimension.asLong() < 0) {
                return -1;
            }
            try {
                count = Math.multiplyExact(count, dimension.asLong());
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return count > Integer.MAX_VALUE ? -1 : count;
    }

    /** Whether the request asks for output {@code name} as binary data. */
    public static boolean wantsBinary(JsonNode request, String name) {
        for (JsonNode output : request.path("outputs")) {
            if (name.equals(output.path("name").asText()) && output.path("parameters").has("binary_data")) {
                return output.path("parameters").path("binary_data").asBoolean(false);
            }
        }
        return request.path("parameters").path("binary_data_output").asBoolean(false);
    }

    /**
     * Moves the data of the answer's outputs that {@code binary} picks out of the JSON: each such
     * output loses {@code data} and gains {@code parameters.binary_data_size}. The bytes of each, in
     * output order (none for outputs left as JSON).
     */
    public static List<byte[]> extract(ObjectNode answer, java.util.function.Predicate<String> binary) {
        List<byte[]> parts = new ArrayList<>();
        for (JsonNode output : answer.path("outputs")) {
            if (output instanceof ObjectNode tensor && binary.test(tensor.path("name").asText())) {
                byte[] part = encode(tensor.path("datatype").asText(), tensor.path("data"));
                tensor.remove("data");
                ObjectNode parameters = tensor.has("parameters") && tensor.get("parameters").isObject()
                        ? (ObjectNode) tensor.get("parameters") : tensor.putObject("parameters");
                parameters.put(SIZE, part.length);
                parts.add(part);
            }
        }
        return parts;
    }

    /** JSON values of a tensor (flat or nested, row-major) as the extension's bytes. */
    public static byte[] encode(String datatype, JsonNode data) {
        List<JsonNode> values = new ArrayList<>();
        flatten(data, values);
        int elementSize = elementSize(datatype);
        if (elementSize == 0) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (JsonNode value : values) {
                byte[] element = value.asText().getBytes(StandardCharsets.UTF_8);
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.length).array());
                out.writeBytes(element);
            }
            return out.toByteArray();
        }
        if (elementSize < 0) {
            throw new IllegalArgumentException("unknown datatype " + datatype);
        }
        ByteBuffer out = ByteBuffer.allocate(values.size() * elementSize).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode value : values) {
            switch (datatype) {
                case "BOOL" -> out.put((byte) (value.asBoolean() ? 1 : 0));
                case "UINT8", "INT8" -> out.put((byte) value.asInt());
                case "UINT16", "INT16" -> out.putShort((short) value.asInt());
                case "FP16" -> out.putShort(Float.floatToFloat16((float) value.asDouble()));
                case "BF16" -> out.putShort((short) (Float.floatToIntBits((float) value.asDouble()) >>> 16));
                case "UINT32", "INT32" -> out.putInt((int) value.asLong());
                case "FP32" -> out.putFloat((float) value.asDouble());
                case "UINT64" -> out.putLong(value.bigIntegerValue().longValue());
                case "INT64" -> out.putLong(value.asLong());
                case "FP64" -> out.putDouble(value.asDouble());
                default -> throw new IllegalArgumentException("unknown datatype " + datatype);
            }
        }
        return out.array();
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            into.add(node);
            return;
        }
        for (JsonNode element : node) {
            flatten(element, into);
        }
    }
}
