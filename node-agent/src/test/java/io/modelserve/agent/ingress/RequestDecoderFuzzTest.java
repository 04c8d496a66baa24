package io.modelserve.agent.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.modelserve.agent.runtime.JsonRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Request bodies come from anyone on the request port, forward frames from other nodes: decoding
 * either must answer (Ok / Malformed, a request / empty) for every input, never throw.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code RequestDecoderFuzzTestInputs/}
 * as ordinary tests; with it, it fuzzes one method for {@code maxDuration} (see README, Fuzzing).
 */
class RequestDecoderFuzzTest {
    private static final String[] CONTENT_TYPES = {
        "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
        "text/plain", "application/octet-stream", "application/vnd.api+json", "", "image/png"};

    @FuzzTest(maxDuration = "30s")
    void decode(FuzzedDataProvider data) {
        String contentType = data.consumeBoolean()
                ? data.pickValue(CONTENT_TYPES)
                : data.consumeString(40);
        Map<String, List<String>> query = data.consumeBoolean()
                ? Map.of(data.consumeString(10), List.of(data.consumeString(20)))
                : Map.of();
        byte[] body = data.consumeRemainingAsBytes();

        RequestDecoder.Decoded decoded = RequestDecoder.decode(body, contentType, query);

        assertThat(decoded).isNotNull();
        if (decoded instanceof RequestDecoder.Ok ok) {
            assertThat(ok.request().params().isObject()).isTrue();
            assertThat(ok.request().body()).isEqualTo(body);
        } else {
            assertThat(((RequestDecoder.Malformed) decoded).message()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void forwardFrame(byte[] frame) throws IOException {
        Optional<JsonRequest> decoded = ForwardFrame.decode(frame, "application/json");

        assertThat(decoded).isNotNull();
        if (decoded.isPresent()) {
            // What one node decodes, it can hand on unchanged: encode(decode(x)) decodes to the same.
            JsonRequest again = ForwardFrame.decode(ForwardFrame.encode(decoded.get()), "application/json").orElseThrow();
            assertThat(again.params()).isEqualTo(decoded.get().params());
            assertThat(again.body()).isEqualTo(decoded.get().body());
        }
    }
}
