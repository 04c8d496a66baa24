package io.modelserve.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK's shaped answers: immutable values that refuse what HTTP or the server would not carry. */
class ResponseTest {

    @Test
    void eachWitherReturnsANewResponseAndLeavesTheOldOne() {
        byte[] png = {1, 2, 3};
        Response plain = Response.bytes(png, "image/png");
        Response shaped = plain.withStatus(201).withHeader("X-A", "1").withHeader("x-a", "2").withHeader("X-B", "3");
        png[0] = 9;

        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.headers()).isEmpty();
        assertThat(shaped.status()).isEqualTo(201);
        assertThat(shaped.headers()).containsExactly(Map.entry("x-a", "2"), Map.entry("X-B", "3"));
        assertThat(shaped.bytes()).containsExactly(1, 2, 3);
        shaped.bytes()[1] = 7;
        assertThat(shaped.bytes()).containsExactly(1, 2, 3);
        assertThat(shaped.isJson()).isFalse();
        assertThat(Response.json(Map.of("a", 1)).isJson()).isTrue();
        assertThat(Response.json(Map.of("a", 1)).contentType()).isEqualTo("application/json");
    }

    @Test
    void refusesWhatTheServerOwnsOrHttpCannotCarry() {
        Response ok = Response.json("x");
        assertThatThrownBy(() -> ok.withHeader("Content-Type", "text/plain")).hasMessageContaining("set by the server");
        assertThatThrownBy(() -> ok.withHeader("content-length", "3")).hasMessageContaining("set by the server");
        assertThatThrownBy(() -> ok.withHeader("X-Bad", "a\r\nSet-Cookie: x")).hasMessageContaining("spans lines");
        assertThatThrownBy(() -> ok.withHeader("Bad Name", "v")).hasMessageContaining("not an HTTP header name");
        assertThatThrownBy(() -> ok.withStatus(101)).hasMessageContaining("200..599");
        assertThatThrownBy(() -> ok.withStatus(600)).hasMessageContaining("200..599");
        assertThatThrownBy(() -> Response.bytes(new byte[0], " ")).hasMessageContaining("content type");
    }

    @Test
    void anInvalidRequestIsA4xxOnly() {
        assertThat(new InvalidRequestException("no text").status()).isEqualTo(400);
        assertThat(new InvalidRequestException(422, "no text").status()).isEqualTo(422);
        assertThat(new InvalidRequestException("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InvalidRequestException(500, "x")).hasMessageContaining("4xx");
        assertThatThrownBy(() -> new InvalidRequestException(399, "x")).hasMessageContaining("4xx");
    }
}
