package io.modelserve.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueRecordsTest {
    private final QueueRecords records = new QueueRecords(io.modelserve.cluster.ClusterKeys.of("test", "").entrySeal());
    @Test
    void aRequestRoundTripsWithItsBodyStoredRaw() {
        byte[] body = "{\"text\":\"h\\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        QueuedRequest request = new QueuedRequest("id-1", "echo", Map.of("lang", List.of("en", "fr")), "application/json",
                42, "node-a", body);

        byte[] frame = records.encode("m", request);
        QueuedRequest back = records.decode("m", "id-1", frame).orElseThrow();

        assertThat(back.id()).isEqualTo("id-1");
        assertThat(back.deployment()).isEqualTo("echo");
        assertThat(back.query()).isEqualTo(Map.of("lang", List.of("en", "fr")));
        assertThat(back.contentType()).isEqualTo("application/json");
        assertThat(back.acceptedAtMillis()).isEqualTo(42);
        assertThat(back.acceptedBy()).isEqualTo("node-a");
        assertThat(back.body()).isEqualTo(body);
        // The body's bytes are the frame's tail, as they came: no base64, no escaping.
        byte[] tail = java.util.Arrays.copyOfRange(frame, frame.length - body.length, frame.length);
        assertThat(tail).isEqualTo(body);
        assertThat(frame.length - body.length).isLessThan(400);
    }

    @Test
    void aRequestKeepsTheClientsHeadersForTheConsumersPlugin() {
        QueuedRequest request = new QueuedRequest("id-1", "echo", Map.of(), "application/json", 42, "node-a",
                Map.of("x-request-id", "abc", "accept", "text/plain, application/json"), new byte[0]);

        QueuedRequest back = records.decode("m", "id-1", records.encode("m", request)).orElseThrow();

        assertThat(back.headers()).isEqualTo(Map.of("x-request-id", "abc", "accept", "text/plain, application/json"));
    }

    @Test
    void workStoredBeforeHeadersWereKeptReadsAsWorkWithoutHeaders() {
        // The header JSON a node wrote before the headers field existed, sealed as it sealed it.
        byte[] body = new byte[0];
        String json = "{\"id\":\"id-1\",\"deployment\":\"echo\",\"query\":{},\"contentType\":\"\",\"acceptedAtMillis\":42,"
                + "\"acceptedBy\":\"node-a\",\"bodySha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}";
        byte[] header = records.seal().seal("m", "id-1", json).getBytes(StandardCharsets.UTF_8);
        byte[] frame = java.nio.ByteBuffer.allocate(4 + header.length).putInt(header.length).put(header).array();

        QueuedRequest back = records.decode("m", "id-1", frame).orElseThrow();

        assertThat(back.deployment()).isEqualTo("echo");
        assertThat(back.headers()).isEmpty();
    }

    @Test
    void aFrameMovedOrAlteredDoesNotDecode() {
        QueuedRequest request = new QueuedRequest("id-1", "echo", Map.of(), "text/plain", 42, "node-a",
                "hello".getBytes(StandardCharsets.UTF_8));
        byte[] frame = records.encode("m", request);

        assertThat(records.decode("m", "id-2", frame)).isEmpty();
        assertThat(records.decode("other", "id-1", frame)).isEmpty();
        byte[] altered = frame.clone();
        altered[altered.length - 1] = 'O';
        assertThat(records.decode("m", "id-1", altered)).isEmpty();
        assertThat(records.decode("m", "id-1", "a string, not a frame")).isEmpty();
    }

    @Test
    void whatIsNotAFrameIsEmpty() {
        assertThat(records.decode("m", "x", null)).isEmpty();
        assertThat(records.decode("m", "x", new byte[] {0, 0})).isEmpty();
        assertThat(records.decode("m", "x", new byte[] {0, 0, 0, 9, '{', '}'})).isEmpty();
        assertThat(records.decode("m", "x", new byte[] {-1, 0, 0, 0, '{', '}'})).isEmpty();
        assertThat(records.decode("m", "x", new byte[] {0, 0, 0, 2, '[', ']'})).isEmpty();
        assertThat(QueueRecords.decodeResult("not json")).isEmpty();
    }
}
