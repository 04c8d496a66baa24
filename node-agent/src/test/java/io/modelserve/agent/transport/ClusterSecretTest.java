package io.modelserve.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

class ClusterSecretTest {
    @Test
    void aSetSecretAdmitsOnlyItself() {
        ClusterSecret secret = new ClusterSecret("s3cret");
        assertThat(secret.admits("s3cret")).isTrue();
        assertThat(secret.admits(null)).isFalse();
        assertThat(secret.admits("")).isFalse();
        assertThat(secret.admits("s3cre")).isFalse();
        assertThat(secret.admits("s3cret ")).isFalse();
        assertThat(secret.toString()).doesNotContain("s3cret");
    }

    @Test
    void aMissingHeaderNeverMatchesEvenASecretSpelledNull() {
        assertThat(new ClusterSecret("null").admits(null)).isFalse();
        assertThat(new ClusterSecret("null").admits("null")).isTrue();
    }

    @Test
    void noSecretAdmitsEveryone() {
        assertThat(new ClusterSecret("").admits(null)).isTrue();
        assertThat(new ClusterSecret(null).isSet()).isFalse();
    }

    @Test
    void signingAddsTheHeaderOnlyWhenSet() {
        HttpRequest signed = new ClusterSecret("s3cret").sign(HttpRequest.newBuilder(URI.create("http://127.0.0.1/"))).build();
        assertThat(signed.headers().firstValue(ClusterSecret.HEADER)).contains("s3cret");
        HttpRequest plain = new ClusterSecret("").sign(HttpRequest.newBuilder(URI.create("http://127.0.0.1/"))).build();
        assertThat(plain.headers().firstValue(ClusterSecret.HEADER)).isEmpty();
    }
}
