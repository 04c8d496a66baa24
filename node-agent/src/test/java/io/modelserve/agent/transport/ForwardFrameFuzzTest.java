package io.modelserve.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.modelserve.agent.runtime.JsonRequest;
import java.io.IOException;
import java.util.Optional;

/**
 * Forward frames come from other nodes (or anyone who reaches the internal endpoint): decoding must
 * answer (a request / empty) for every input, never throw.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code ForwardFrameFuzzTestInputs/}
 * as ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class ForwardFrameFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void forwardFrame(byte[] frame) throws IOException {
        Optional<JsonRequest> decoded = ForwardFrame.decode(frame, "application/json");

        assertThat(decoded).isNotNull();
        if (decoded.isPresent()) {
            // What one node decodes, it can hand on unchanged: encode(decode(x)) decodes to the same.
            JsonRequest again = ForwardFrame.decode(ForwardFrame.encode(decoded.get()), "application/json").orElseThrow();
            assertThat(again.params()).isEqualTo(decoded.get().params());
            assertThat(again.body()).isEqualTo(decoded.get().body());
            assertThat(again.headers()).isEqualTo(decoded.get().headers());
        }
    }
}
