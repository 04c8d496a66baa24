package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.modelserve.agent.http.RequestDecoder;
import java.lang.reflect.Array;
import java.util.List;
import java.util.Map;

/**
 * Open Inference Protocol (v2) tensors from the request port: whatever the JSON, decoding answers
 * Inputs or Invalid and never throws; Inputs always hold as many values as their shape says.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code OpenInferenceFuzzTestInputs/}
 * as ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class OpenInferenceFuzzTest {
    // Shaped like the models we serve: a text encoder's token ids and an image classifier's pixels.
    private static final ModelSignature SIGNATURE = new ModelSignature(
            List.of(new TensorSignature("input_ids", TensorType.INT64, new long[] {-1, -1}),
                    new TensorSignature("mask", TensorType.BOOL, new long[] {-1, -1}),
                    new TensorSignature("pixels", TensorType.FP32, new long[] {1, 3, 2, -1}),
                    new TensorSignature("bytes", TensorType.UINT8, new long[] {-1})),
            List.of(new TensorSignature("embedding", TensorType.FP32, new long[] {-1, 4})));

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] body) {
        if (!(RequestDecoder.decode(body, "application/json", Map.of()) instanceof RequestDecoder.Ok ok)) {
            return; // not JSON: the ingress answers 400 before any tensor is read
        }

        OpenInference.Decoded decoded = OpenInference.decode(ok.request().params(), SIGNATURE);

        assertThat(decoded).isNotNull();
        if (decoded instanceof OpenInference.Inputs inputs) {
            assertThat(inputs.inputs()).hasSize(SIGNATURE.inputs().size());
            for (Tensor tensor : inputs.inputs()) {
                assertThat((long) Array.getLength(tensor.data())).isEqualTo(Tensor.elementCount(tensor.shape()));
            }
        } else {
            assertThat(((OpenInference.Invalid) decoded).message()).isNotBlank();
        }
    }
}
