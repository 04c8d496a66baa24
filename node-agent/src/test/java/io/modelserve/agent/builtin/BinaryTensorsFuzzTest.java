package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The binary tensor data extension's framing from the request port: whatever the JSON header and
 * the bytes after it, inlining answers null or a message and never throws; when it accepts, no
 * input is left with a {@code binary_data_size} and every byte went to one.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code BinaryTensorsFuzzTestInputs/}
 * (if any) as ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class BinaryTensorsFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "30s")
    void inline(FuzzedDataProvider data) {
        String header = data.consumeString(600);
        byte[] binary = data.consumeRemainingAsBytes();
        JsonNode parsed;
        try {
            parsed = JSON.readTree(header);
        } catch (Exception notJson) {
            return; // the endpoint answers 400 before the binary part is read
        }
        if (!(parsed instanceof ObjectNode request)) {
            return;
        }

        String problem = BinaryTensors.inline(request, binary);

        if (problem != null) {
            assertThat(problem).isNotBlank();
        } else {
            for (JsonNode input : request.path("inputs")) {
                assertThat(input.path("parameters").has(BinaryTensors.SIZE)).isFalse();
            }
        }
    }
}
