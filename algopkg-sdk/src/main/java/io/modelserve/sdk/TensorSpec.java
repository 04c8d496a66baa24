package io.modelserve.sdk;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One declared input or output of a {@link TensorModel}: its name, its datatype as the Open
 * Inference Protocol names it ({@code FP32}, {@code FP64}, {@code INT64}, {@code INT32}, {@code INT8},
 * {@code UINT8}, {@code BOOL}), and its shape, -1 where a dimension is free.
 */
public record TensorSpec(String name, String datatype, long[] shape) {
    /** The datatypes a plugin's tensors may have. */
    public static final List<String> DATATYPES = List.of("BOOL", "UINT8", "INT8", "INT32", "INT64", "FP32", "FP64");

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        if (!DATATYPES.contains(datatype)) {
            throw new IllegalArgumentException("tensor '" + name + "': datatype " + datatype + " is not one of " + DATATYPES);
        }
        shape = shape.clone();
        for (long dimension : shape) {
            if (dimension < -1) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has a dimension below -1 (-1 is a free one)");
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec that && name.equals(that.name) && datatype.equals(that.datatype)
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + datatype + " " + Arrays.toString(shape);
    }
}
