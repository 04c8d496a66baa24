package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Request bodies come from anyone on the request port: decoding must answer (Ok / Malformed) for
 * every input, never throw. (Forward frames from other nodes: {@code transport.ForwardFrameFuzzTest}.)
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
}
