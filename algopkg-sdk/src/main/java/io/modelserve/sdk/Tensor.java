package io.modelserve.sdk;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A typed tensor of a {@link TensorModel}'s call: its datatype, its shape, and its values row-major
 * in the primitive array of that datatype ({@code float[]} for FP32, {@code double[]} FP64,
 * {@code long[]} INT64, {@code int[]} INT32, {@code byte[]} INT8 and UINT8, {@code boolean[]} BOOL).
 */
public final class Tensor {
    private final String datatype;
    private final long[] shape;
    private final Object data;

    private Tensor(String datatype, long[] shape, Object data) {
        this.datatype = datatype;
        this.shape = shape.clone();
        this.data = Objects.requireNonNull(data, "data");
        long count = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("a tensor's shape has no free dimensions: " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dimension);
        }
        if (Array.getLength(data) != count) {
            throw new IllegalArgumentException(Array.getLength(data) + " values for shape " + Arrays.toString(shape));
        }
    }

    public static Tensor of(float[] data, long... shape) {
        return new Tensor("FP32", shape, data.clone());
    }

    public static Tensor of(double[] data, long... shape) {
        return new Tensor("FP64", shape, data.clone());
    }

    public static Tensor of(long[] data, long... shape) {
        return new Tensor("INT64", shape, data.clone());
    }

    public static Tensor of(int[] data, long... shape) {
        return new Tensor("INT32", shape, data.clone());
    }

    public static Tensor of(boolean[] data, long... shape) {
        return new Tensor("BOOL", shape, data.clone());
    }

    /** INT8 values. */
    public static Tensor of(byte[] data, long... shape) {
        return new Tensor("INT8", shape, data.clone());
    }

    /** UINT8 values (a byte's bits, 0..255). */
    public static Tensor uint8(byte[] data, long... shape) {
        return new Tensor("UINT8", shape, data.clone());
    }

    /**
     * {@code data} as it is, not copied: for the platform, which hands a plugin arrays nobody else holds.
     *
     * @throws IllegalArgumentException when the array is not {@code datatype}'s or does not fill {@code shape}
     */
    public static Tensor wrap(String datatype, long[] shape, Object data) {
        Class<?> expected = switch (datatype) {
            case "FP32" -> float[].class;
            case "FP64" -> double[].class;
            case "INT64" -> long[].class;
            case "INT32" -> int[].class;
            case "INT8", "UINT8" -> byte[].class;
            case "BOOL" -> boolean[].class;
            default -> throw new IllegalArgumentException("datatype " + datatype + " is not one of " + TensorSpec.DATATYPES);
        };
        if (!expected.isInstance(data)) {
            throw new IllegalArgumentException("a " + datatype + " tensor holds a " + expected.getSimpleName() + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        return new Tensor(datatype, shape, data);
    }

    public String datatype() {
        return datatype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The values, not copied: the array of this tensor's datatype. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return as(float[].class);
    }

    public double[] doubles() {
        return as(double[].class);
    }

    public long[] longs() {
        return as(long[].class);
    }

    public int[] ints() {
        return as(int[].class);
    }

    public byte[] bytes() {
        return as(byte[].class);
    }

    public boolean[] booleans() {
        return as(boolean[].class);
    }

    private <T> T as(Class<T> type) {
        if (!type.isInstance(data)) {
            throw new IllegalStateException("a " + datatype + " tensor holds no " + type.getSimpleName());
        }
        return type.cast(data);
    }

    @Override
    public String toString() {
        return datatype + " " + Arrays.toString(shape);
    }
}
