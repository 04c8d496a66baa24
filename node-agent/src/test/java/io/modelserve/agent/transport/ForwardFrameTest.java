package io.modelserve.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.runtime.JsonRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardFrameTest {
    private static final byte[] BODY = "raw body".getBytes(StandardCharsets.UTF_8);

    private static JsonRequest request(Map<String, String> headers) {
        return new JsonRequest(JsonNodeFactory.instance.objectNode().put("text", "hi"), BODY, "text/plain", "", headers);
    }

    @Test
    void paramsBodyAndTheClientsHeadersCrossAsTheyWere() throws IOException {
        JsonRequest sent = request(Map.of("x-request-id", "abc", "accept", "text/plain, application/json"));

        JsonRequest received = ForwardFrame.decode(ForwardFrame.encode(sent), "text/plain").orElseThrow();

        assertThat(received.params()).isEqualTo(sent.params());
        assertThat(received.body()).isEqualTo(BODY);
        assertThat(received.headers()).isEqualTo(Map.of("x-request-id", "abc", "accept", "text/plain, application/json",
                "content-type", "text/plain"));
        assertThat(received.header("X-Request-ID")).hasValue("abc");
    }

    @Test
    void aFrameOfTheFirstFormatWithoutHeadersIsMalformedNotMisread() {
        // [int params length][params][body], as nodes before headers sent it.
        byte[] params = "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
        byte[] old = ByteBuffer.allocate(4 + params.length + BODY.length).putInt(params.length).put(params).put(BODY).array();

        assertThat(ForwardFrame.decode(old, "text/plain")).isEmpty();
    }

    @Test
    void headersPastTheirBoundOrNotStringsAreMalformed() throws IOException {
        byte[] frame = ForwardFrame.encode(request(Map.of("x-a", "1")));
        int headersAt = 8 + ByteBuffer.wrap(frame, 4, 4).getInt();
        byte[] pastEnd = frame.clone();
        ByteBuffer.wrap(pastEnd, headersAt, 4).putInt(frame.length);
        byte[] overBound = frame.clone();
        ByteBuffer.wrap(overBound, headersAt, 4).putInt(ForwardFrame.MAX_HEADERS + 1);
        byte[] negative = frame.clone();
        ByteBuffer.wrap(negative, headersAt, 4).putInt(-1);

        assertThat(ForwardFrame.decode(pastEnd, "")).isEmpty();
        assertThat(ForwardFrame.decode(overBound, "")).isEmpty();
        assertThat(ForwardFrame.decode(negative, "")).isEmpty();
        assertThat(ForwardFrame.decode(frame("{}", "{\"x-a\":1}"), "")).isEmpty();
        assertThat(ForwardFrame.decode(frame("{}", "[\"x-a\"]"), "")).isEmpty();
        assertThat(ForwardFrame.decode(frame("{}", "{\"x-a\":\"1\"}"), "").orElseThrow().headers()).isEqualTo(Map.of("x-a", "1"));
    }

    @Test
    void theSenderRefusesHeadersOverTheBoundRatherThanTheReceiverCallingThemMalformed() {
        JsonRequest huge = request(Map.of("x-big", "y".repeat(ForwardFrame.MAX_HEADERS)));

        assertThatThrownBy(() -> ForwardFrame.encode(huge)).isInstanceOf(IOException.class).hasMessageContaining("headers");
    }

    @Test
    void theLargestFrameAllowsForTheHeaders() {
        assertThat(ForwardFrame.maxFrameBytes(1_000)).isGreaterThanOrEqualTo(12 + 3 * 1_000L + ForwardFrame.MAX_HEADERS);
    }

    /** A frame of this format, written by hand. */
    static byte[] frame(String params, String headers) {
        byte[] p = params.getBytes(StandardCharsets.UTF_8);
        byte[] h = headers.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + p.length + h.length).putInt(-2).putInt(p.length).put(p).putInt(h.length).put(h).array();
    }
}
