package io.modelserve.agent.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.Request;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request as the node writes it into a call frame and a child JVM reads it back. */
class ChildFramesTest {

    private static Request acrossTheSocket(Request request) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frames.write(new DataOutputStream(bytes), ChildBackend.request(request).put("op", "infer"));
        JsonNode call = Frames.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return ChildMain.request(call);
    }

    @Test
    void theChildSeesTheRequestsHeadersWithItsParamsBodyAndSubPath() throws Exception {
        JsonRequest sent = new JsonRequest(JsonNodeFactory.instance.objectNode().put("text", "hi"),
                "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8), "application/json", "scan/page-1",
                Map.of("x-request-id", "abc", "content-type", "application/json"));

        Request received = acrossTheSocket(sent);

        assertThat(received.headers()).isEqualTo(Map.of("x-request-id", "abc", "content-type", "application/json"));
        assertThat(received.header("X-Request-Id")).hasValue("abc");
        assertThat(received.params()).isEqualTo(sent.params());
        assertThat(received.body()).isEqualTo(sent.body());
        assertThat(received.subPath()).isEqualTo("scan/page-1");
    }

    @Test
    void theCallFrameHoldsHeadersAsAnObjectOfNamesAndValues() {
        JsonNode call = ChildBackend.request(new JsonRequest(JsonNodeFactory.instance.objectNode(), null, "", "",
                Map.of("X-Request-Id", "abc")));

        // What modelserve_runtime.py reads: {"headers": {"x-request-id": "abc"}}.
        assertThat(call.path("headers")).isEqualTo(JsonNodeFactory.instance.objectNode().put("x-request-id", "abc"));
    }

    @Test
    void aCallWithoutHeadersIsARequestWithoutHeaders() throws Exception {
        JsonNode call = Frames.JSON.readTree("{\"op\":\"infer\",\"params\":{},\"contentType\":\"\"}");

        assertThat(ChildMain.request(call).headers()).isEmpty();
    }
}
