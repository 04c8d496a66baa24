package io.modelserve.agent.builtin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A named tensor held in a primitive array of its element type (float[] for FP32, long[] for INT64,
 * byte[] for INT8 and UINT8, boolean[] for BOOL, ...), row-major.
 */
public record Tensor(String name, TensorType type, long[] shape, Object data) {

    public Tensor {
        shape = shape.clone();
        if (Array.getLength(data) != elementCount(shape)) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + Array.getLength(data)
                    + " values for shape " + Arrays.toString(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            count = Math.multiplyExact(count, dimension);
        }
        return count;
    }

    /** A new array in {@code manager}, named after this tensor so the model gets it by name. */
    public NDArray toNDArray(NDManager manager) {
        Shape djlShape = new Shape(shape);
        NDArray array = switch (type) {
            case FP32 -> manager.create((float[]) data, djlShape);
            case FP64 -> manager.create((double[]) data, djlShape);
            case INT64 -> manager.create((long[]) data, djlShape);
            case INT32 -> manager.create((int[]) data, djlShape);
            case INT8 -> manager.create((byte[]) data, djlShape);
            case UINT8 -> manager.create(ByteBuffer.wrap((byte[]) data), djlShape, type.djl());
            case BOOL -> manager.create((boolean[]) data, djlShape);
        };
        array.setName(name);
        return array;
    }

    /** Copies a model output out of native memory. */
    public static Tensor of(String name, NDArray array) {
        TensorType type = TensorType.of(array.getDataType()).orElseThrow(() -> new IllegalArgumentException(
                "output '" + name + "' has element type " + array.getDataType() + ", which is not served"));
        Object data = switch (type) {
            case FP32 -> array.toFloatArray();
            case FP64 -> array.toDoubleArray();
            case INT64 -> array.toLongArray();
            case INT32 -> array.toIntArray();
            case INT8, UINT8 -> array.toByteArray();
            case BOOL -> array.toBooleanArray();
        };
        return new Tensor(name, type, array.getShape().getShape(), data);
    }

    /** The values as JSON writes them: bytes as numbers (0..255 for UINT8), not as base64 text. */
    public Object jsonData() {
        if (data instanceof byte[] bytes) {
            int[] numbers = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                numbers[i] = type == TensorType.UINT8 ? Byte.toUnsignedInt(bytes[i]) : bytes[i];
            }
            return numbers;
        }
        return data;
    }

    /** The tensors stacked along the first dimension; they must agree on every other one. */
    public static Tensor concat(List<Tensor> parts) {
        Tensor first = parts.getFirst();
        long rows = 0;
        int length = 0;
        for (Tensor part : parts) {
            rows += part.shape[0];
            length += Array.getLength(part.data);
        }
        Object data = Array.newInstance(first.data.getClass().getComponentType(), length);
        int offset = 0;
        for (Tensor part : parts) {
            int n = Array.getLength(part.data);
            System.arraycopy(part.data, 0, data, offset, n);
            offset += n;
        }
        long[] shape = first.shape.clone();
        shape[0] = rows;
        return new Tensor(first.name, first.type, shape, data);
    }

    /** Rows {@code [from, from + count)} along the first dimension. */
    public Tensor rows(long from, long count) {
        long rowLength = shape[0] == 0 ? 0 : Array.getLength(data) / shape[0];
        int length = Math.toIntExact(count * rowLength);
        Object slice = Array.newInstance(data.getClass().getComponentType(), length);
        System.arraycopy(data, Math.toIntExact(from * rowLength), slice, 0, length);
        long[] sliceShape = shape.clone();
        sliceShape[0] = count;
        return new Tensor(name, type, sliceShape, slice);
    }
}
