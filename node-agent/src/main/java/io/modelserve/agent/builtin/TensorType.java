package io.modelserve.agent.builtin;

import ai.djl.ndarray.types.DataType;
import java.util.Optional;

/**
 * The element types the built-in backends move in and out of a model, named as the Open Inference
 * Protocol names them ({@code FP32}, {@code INT64}, ...). Strings, float16 and complex tensors are not
 * served: the model is refused at start with the input or output named.
 */
public enum TensorType {
    BOOL(DataType.BOOLEAN),
    UINT8(DataType.UINT8),
    INT8(DataType.INT8),
    INT32(DataType.INT32),
    INT64(DataType.INT64),
    FP32(DataType.FLOAT32),
    FP64(DataType.FLOAT64);

    private final DataType djl;

    TensorType(DataType djl) {
        this.djl = djl;
    }

    public DataType djl() {
        return djl;
    }

    /** By its protocol name, e.g. "FP32". */
    public static Optional<TensorType> named(String name) {
        for (TensorType type : values()) {
            if (type.name().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static Optional<TensorType> of(DataType djl) {
        for (TensorType type : values()) {
            if (type.djl == djl) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
