package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** JSON values into the primitive array of a tensor type, each checked for kind and range. */
final class TensorValues {
    private TensorValues() {}

    /** @throws IllegalArgumentException naming the first value that does not fit */
    static Object read(TensorType type, List<JsonNode> values) {
        int n = values.size();
        switch (type) {
            case FP32 -> {
                float[] data = new float[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (float) number(values, i).doubleValue();
                }
                return data;
            }
            case FP64 -> {
                double[] data = new double[n];
                for (int i = 0; i < n; i++) {
                    data[i] = number(values, i).doubleValue();
                }
                return data;
            }
            case INT64 -> {
                long[] data = new long[n];
                for (int i = 0; i < n; i++) {
                    data[i] = whole(values, i, Long.MIN_VALUE, Long.MAX_VALUE, type);
                }
                return data;
            }
            case INT32 -> {
                int[] data = new int[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (int) whole(values, i, Integer.MIN_VALUE, Integer.MAX_VALUE, type);
                }
                return data;
            }
            case INT8 -> {
                byte[] data = new byte[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (byte) whole(values, i, Byte.MIN_VALUE, Byte.MAX_VALUE, type);
                }
                return data;
            }
            case UINT8 -> {
                byte[] data = new byte[n];
                for (int i = 0; i < n; i++) {
                    data[i] = (byte) whole(values, i, 0, 255, type);
                }
                return data;
            }
            case BOOL -> {
                boolean[] data = new boolean[n];
                for (int i = 0; i < n; i++) {
                    JsonNode value = values.get(i);
                    if (!value.isBoolean()) {
                        throw new IllegalArgumentException("value #" + i + " is " + value + ", not true or false");
                    }
                    data[i] = value.asBoolean();
                }
                return data;
            }
        }
        throw new IllegalStateException("unhandled type " + type);
    }

    private static Number number(List<JsonNode> values, int i) {
        JsonNode value = values.get(i);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("value #" + i + " is " + value + ", not a number");
        }
        return value.numberValue();
    }

    private static long whole(List<JsonNode> values, int i, long min, long max, TensorType type) {
        JsonNode value = values.get(i);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new IllegalArgumentException("value #" + i + " is " + value + ", not a whole number in " + type
                    + "'s range [" + min + ", " + max + "]");
        }
        return value.asLong();
    }
}
