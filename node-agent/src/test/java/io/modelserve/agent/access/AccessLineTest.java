package io.modelserve.agent.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aServedRequestIsOneJsonObjectWithTheDocumentedFieldsInOrder() throws Exception {
        AccessLine line = new AccessLine(Instant.parse("2026-12-02T04:05:06.789123Z"), "TextEmbedding", "/embed",
                AccessLine.Protocol.REST, "v2", "TextEmbedding@v2-r1", "node-b", 200, 17, 123, 1_234_567, 20_000_000, 25_123_456);
        String text = line.toJson();
        assertThat(text).doesNotContain("\n");
        JsonNode json = JSON.readTree(text);
        assertThat(json.properties().stream().map(java.util.Map.Entry::getKey).toList()).containsExactly("time", "deployment",
                "route", "protocol", "version", "replica", "node", "status", "bytes_in", "bytes_out", "queue_ms", "compute_ms",
                "total_ms");
        assertThat(json.get("time").asText()).isEqualTo("2026-12-02T04:05:06.789Z");
        assertThat(json.get("protocol").asText()).isEqualTo("rest");
        assertThat(json.get("version").asText()).isEqualTo("v2");
        assertThat(json.get("status").asInt()).isEqualTo(200);
        assertThat(json.get("bytes_in").asLong()).isEqualTo(17);
        assertThat(json.get("queue_ms").isNumber()).isTrue();
        assertThat(text).contains("\"queue_ms\":1.235,\"compute_ms\":20,\"total_ms\":25.123");
    }

    @Test
    void aRefusedRequestHasNullsWhereNothingIsKnown() throws Exception {
        JsonNode json = JSON.readTree(new AccessLine(Instant.EPOCH, "A", "/a?x=\"1\"", AccessLine.Protocol.GRPC, null, null, "n1",
                503, 0, -1, -1, -1, 1_000).toJson());
        for (String field : List.of("version", "replica", "bytes_out", "queue_ms", "compute_ms")) {
            assertThat(json.get(field).isNull()).as(field).isTrue();
        }
        assertThat(json.get("route").asText()).isEqualTo("/a?x=\"1\"");
        assertThat(json.get("protocol").asText()).isEqualTo("grpc");
        assertThat(json.get("total_ms").decimalValue()).isEqualByComparingTo("0.001");
    }

    @Test
    void millisecondsHaveAtMostThreeDecimalsAndNoExponent() {
        assertThat(AccessLine.millis(0)).isEqualTo("0");
        assertThat(AccessLine.millis(499)).isEqualTo("0");
        assertThat(AccessLine.millis(500)).isEqualTo("0.001");
        assertThat(AccessLine.millis(120_000_000_000L)).isEqualTo("120000");
        assertThat(AccessLine.millis(1_500_000)).isEqualTo("1.5");
        assertThat(AccessLine.millis(-1)).isEqualTo("null");
    }
}
