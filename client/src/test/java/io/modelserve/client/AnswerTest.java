package io.modelserve.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How the client reads a node's answers; against a running head in test/ (ClientE2ETest). */
class AnswerTest {

    @Test
    void successIsTheResultField() throws Exception {
        assertThat(Answer.result(200, null, "{\"status\":1,\"result\":{\"text\":\"hi\"},\"info\":\"n/r\"}").path("text").asText())
                .isEqualTo("hi");
    }

    @Test
    void errorsKeepStatusMessageAndRetryAfter() {
        assertThatThrownBy(() -> Answer.result(503, "2", "{\"status\":0,\"error\":\"embed is overloaded\"}"))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.getMessage()).isEqualTo("embed is overloaded");
                    assertThat(e.retryAfterSeconds()).isEqualTo(2);
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void aBodyThatIsNotTheEnvelopeIsAnErrorWithTheBodyQuoted() {
        assertThatThrownBy(() -> Answer.result(502, null, "<html>bad gateway</html>"))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(502);
                    assertThat(e.getMessage()).contains("HTTP 502").contains("bad gateway");
                    assertThat(e.retryable()).isFalse();
                });
        assertThatThrownBy(() -> Answer.result(200, null, "{\"status\":0,\"error\":\"odd\"}"))
                .isInstanceOf(CallException.class).hasMessage("odd");
    }

    @Test
    void queueReceiptsAndResults() throws Exception {
        assertThat(Answer.receipt(202, null, "{\"id\":\"q-1\"}")).isEqualTo("q-1");
        assertThatThrownBy(() -> Answer.receipt(404, null, "{\"status\":0,\"error\":\"no route /x\"}"))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
        assertThat(Answer.queued(202, "{\"status\":\"pending\"}")).isNull();
        assertThat(Answer.queued(200, "{\"status\":1,\"result\":[1,2]}"))
                .isInstanceOfSatisfying(QueueResult.Done.class, done -> assertThat(done.result().size()).isEqualTo(2));
        assertThat(Answer.queued(500, "{\"status\":0,\"error\":\"boom\"}")).isEqualTo(new QueueResult.Failed(500, "boom"));
        assertThat(Answer.queued(404, "{\"status\":0,\"error\":\"unknown id\"}")).isEqualTo(new QueueResult.Failed(404, "unknown id"));
    }
}
