package io.modelserve.agent.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an isolated plugin answers, through the child JVM's framing and back, is what it gave. */
class ChildAnswersTest {

    /** As the socket carries it: written as a frame, read back. */
    private static Object roundTrip(Object result) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frames.write(new DataOutputStream(bytes), ChildAnswers.encode(result));
        JsonNode answer = Frames.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return ChildAnswers.decode(answer);
    }

    @Test
    void rawBytesKeepTheirTypeStatusAndHeadersInOrder() throws Exception {
        Response png = Response.bytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0}, "image/png").withStatus(203)
                .withHeader("X-B", "2").withHeader("X-A", "1");

        Object back = roundTrip(png);

        assertThat(back).isEqualTo(png);
        assertThat(((Response) back).headers().keySet()).containsExactly("X-B", "X-A");
    }

    @Test
    void aJsonResponseKeepsItsValue() throws Exception {
        Response created = Response.json(Map.of("id", 7)).withStatus(201).withHeader("Location", "/items/7");

        Response back = (Response) roundTrip(created);

        assertThat(back.status()).isEqualTo(201);
        assertThat(back.headers()).containsEntry("Location", "/items/7");
        assertThat(back.jsonValue().toString()).isEqualTo("{\"id\":7}");
    }

    @Test
    void anInvalidRequestKeepsItsStatusAndMessageOtherFailuresStayFailures() throws Exception {
        Object invalid = roundTrip(new InvalidRequestException(422, "input 'x' is missing"));
        Object failed = roundTrip(new IllegalStateException("model exploded"));

        assertThat(invalid).isInstanceOf(InvalidRequestException.class);
        assertThat(((Throwable) invalid).getMessage()).isEqualTo("input 'x' is missing");
        assertThat(((InvalidRequestException) invalid).status()).isEqualTo(422);
        assertThat(failed).isExactlyInstanceOf(IllegalStateException.class);
        assertThat(((Throwable) failed).getMessage()).isEqualTo("model exploded");
        assertThat(ChildAnswers.decode(ChildAnswers.failed(new BackendFailure("x", new InvalidRequestException("y")))))
                .isExactlyInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPlainValueIsItsJson() throws Exception {
        assertThat(roundTrip(Map.of("text", "hi")).toString()).isEqualTo("{\"text\":\"hi\"}");
    }
}
