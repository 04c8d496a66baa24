package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginHeadersTest {

    private static Map<String, List<String>> received(String... nameValues) {
        Map<String, List<String>> received = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            received.computeIfAbsent(nameValues[i], n -> new java.util.ArrayList<>()).add(nameValues[i + 1]);
        }
        return received;
    }

    @Test
    void theClientsOwnHeadersPassByLowerCaseNameInTheOrderTheyCame() {
        Map<String, String> seen = PluginHeaders.of(received("X-Request-Id", "abc", "Content-Type", "application/json",
                "Authorization", "Bearer mine", "Host", "api.example"));

        assertThat(seen).containsExactly(Map.entry("x-request-id", "abc"), Map.entry("content-type", "application/json"),
                Map.entry("authorization", "Bearer mine"), Map.entry("host", "api.example"));
        assertThatThrownBy(() -> seen.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void hopByHopHeadersAndThoseConnectionNamesAreLeftOut() {
        Map<String, String> seen = PluginHeaders.of(received("Connection", "keep-alive, X-Hop", "X-Hop", "1",
                "Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked", "TE", "trailers", "Trailer", "X-Sum",
                "Upgrade", "h2c", "HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA", "Proxy-Authorization", "Basic x",
                "Proxy-Connection", "keep-alive", "X-Kept", "yes"));

        assertThat(seen).containsExactly(Map.entry("x-kept", "yes"));
    }

    @Test
    void modelservesOwnHeadersAreLeftOutTheClusterSecretAmongThem() {
        Map<String, String> seen = PluginHeaders.of(received("X-Modelserve-Cluster-Secret", "s3cret",
                "X-Modelserve-Content-Type", "text/plain", "X-Modelserve-Sub-Path", "a/b", "X-Modelserve-Run", "q=1",
                "X-Modelserve-Timeout-Ms", "10", "X-Modelserve-Stream", "1", "X-Modelserve-Version", "v2",
                "x-modelserve-model", "w07", "X-Modelservers", "not ours"));

        assertThat(seen).containsExactly(Map.entry("x-modelservers", "not ours"));
        assertThat(PluginHeaders.passes(io.modelserve.agent.transport.ClusterSecret.HEADER.toLowerCase())).isFalse();
    }

    @Test
    void repeatedHeadersAreJoinedAsRfc9110AllowsAndCookiesAsTheyAreSent() {
        Map<String, List<String>> received = received("Accept", "text/plain", "Accept", "application/json",
                "Cookie", "a=1", "Cookie", "b=2");
        received.put("ACCEPT", List.of("*/*")); // a second spelling of the same name (HTTP/1.1 names ignore case)

        assertThat(PluginHeaders.of(received)).containsExactly(Map.entry("accept", "text/plain, application/json, */*"),
                Map.entry("cookie", "a=1; b=2"));
    }

    @Test
    void noHeadersAreNoHeaders() {
        assertThat(PluginHeaders.of(Map.of())).isEmpty();
        assertThat(PluginHeaders.of(Map.of("X-Empty", List.of()))).isEmpty();
    }
}
