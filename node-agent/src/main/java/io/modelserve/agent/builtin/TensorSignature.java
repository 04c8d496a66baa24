package io.modelserve.agent.builtin;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One input or output of a model: its name, element type and shape, -1 where a dimension is free.
 * {@code dimensionNames} holds the model's symbolic name of each free dimension ("" when it has none):
 * two free dimensions with one name must be equal in a call (a batch of token ids and its mask).
 */
public record TensorSignature(String name, TensorType type, long[] shape, String[] dimensionNames) {

    public TensorSignature {
        shape = shape.clone();
        dimensionNames = dimensionNames == null || dimensionNames.length != shape.length ? new String[shape.length]
                : dimensionNames.clone();
        for (int i = 0; i < dimensionNames.length; i++) {
            dimensionNames[i] = dimensionNames[i] == null || shape[i] >= 0 ? "" : dimensionNames[i];
        }
    }

    public TensorSignature(String name, TensorType type, long[] shape) {
        this(name, type, shape, null);
    }

    @Override
    public String[] dimensionNames() {
        return dimensionNames.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Whether {@code given} fits: same rank, and equal wherever this signature fixes a dimension. */
    public boolean accepts(long[] given) {
        if (given.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != given[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first dimension is free: requests can be stacked into one batch along it. */
    public boolean batchable() {
        return shape.length > 0 && shape[0] < 0;
    }

    /** As the Open Inference Protocol's metadata lists a tensor. */
    public Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("name", name);
        described.put("datatype", type.name());
        described.put("shape", shape.clone());
        return described;
    }

    @Override
    public String toString() {
        return name + " (" + type + " " + Arrays.toString(shape) + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSignature that && name.equals(that.name) && type == that.type
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
