package io.modelserve.examples.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.sdk.ChunkSink;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A sink that reports cancelled once it holds {@code cancelAfter} chunks. */
    private static final class Sink implements ChunkSink {
        final List<Object> chunks = new ArrayList<>();
        final int cancelAfter;

        Sink(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void emit(Object chunk) {
            chunks.add(chunk);
        }

        @Override
        public boolean isCancelled() {
            return chunks.size() >= cancelAfter;
        }
    }

    private static Request request(String json) throws Exception {
        var params = JSON.readTree(json);
        return new Request() {
            @Override
            public com.fasterxml.jackson.databind.JsonNode params() {
                return params;
            }

            @Override
            public byte[] body() {
                return new byte[0];
            }

            @Override
            public String contentType() {
                return "application/json";
            }
        };
    }

    @Test
    void emitsNTokensInOrderAndCountsTheFinishedStream() throws Exception {
        Tokens tokens = new Tokens();
        Sink sink = new Sink(Integer.MAX_VALUE);
        tokens.inferenceStream(request("{\"n\":4,\"delay_ms\":0}"), sink);

        assertThat(sink.chunks.stream().map(c -> (Object) ((Map<?, ?>) c).get("token")).toList()).containsExactly("t0", "t1", "t2", "t3");
        Sink stats = new Sink(Integer.MAX_VALUE);
        tokens.inferenceStream(request("{\"stats\":true}"), stats);
        assertThat(stats.chunks).containsExactly(Map.of("started", 1, "finished", 1, "cancelled", 0));
    }

    @Test
    void stopsWhenCancelledAndCountsIt() throws Exception {
        Tokens tokens = new Tokens();
        Sink sink = new Sink(3);
        tokens.inferenceStream(request("{\"n\":1000,\"delay_ms\":0}"), sink);

        assertThat(sink.chunks).hasSize(3);
        Sink stats = new Sink(Integer.MAX_VALUE);
        tokens.inferenceStream(request("{\"stats\":true}"), stats);
        assertThat(stats.chunks).containsExactly(Map.of("started", 1, "finished", 0, "cancelled", 1));
    }

    @Test
    void withoutAStreamTheChunksComeAsOneList() throws Exception {
        assertThat((List<?>) new Tokens().inference(request("{\"n\":2,\"delay_ms\":0}"))).hasSize(2);
    }

    @Test
    void refusesAbsurdRequests() {
        assertThatThrownBy(() -> new Tokens().inferenceStream(request("{\"n\":-1}"), new Sink(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must be in");
    }
}
