package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.reconcile.FakeControllerStore;
import io.modelserve.controller.reconcile.OwnedState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin API's rules for state-changing calls, over real HTTP on loopback. */
class AdminApiRulesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "Qk1#Zx2;token";

    @TempDir
    Path dir;
    final FakeControllerStore store = new FakeControllerStore();
    final HttpClient http = HttpClient.newHttpClient();
    AdminApi admin;
    String base;

    @AfterEach
    void close() {
        if (admin != null) {
            admin.close();
        }
    }

    String conf(boolean withToken, int replicas) {
        return "[MODEL SERVE]\n" + (withToken ? "admin_token = " + TOKEN + "\n" : "")
                + "[algopkg.Echo]\nbackend = builtin:echo\nroute = echo\nreplicas = " + replicas + "\n";
    }

    void start(boolean withToken, AdminApi.Leadership leadership) throws Exception {
        Files.createDirectories(dir.resolve("algopkg"));
        Files.createDirectories(dir.resolve("Model_ZOO"));
        ConfigApplier applier = new ConfigApplier(store, OwnedState.inMemory(), new ConfigParser(Set.of("echo"), k -> null),
                leadership::leads, System::currentTimeMillis, () -> {});
        if (leadership.leads()) {
            applier.apply(dir.resolve("conf.ini"), conf(withToken, 1), false);
        }
        admin = new AdminApi(applier, () -> ClusterReport.of(store, "test", 0), () -> {}, leadership).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + admin.port();
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        // A client per request: a shared JDK client was seen sending an earlier request's Authorization again.
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    String applyBody(int replicas, boolean withToken) throws Exception {
        return JSON.writeValueAsString(Map.of("path", dir.resolve("conf.ini").toString(), "text", conf(withToken, replicas), "dryRun", false));
    }

    long generation() {
        return store.applied().orElseThrow().generation();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCrossSiteTextPlainPostIsRefusedWithAndWithoutAToken(boolean withToken) throws Exception {
        start(withToken, AdminApi.Leadership.ALWAYS);
        String body = applyBody(3, withToken);
        Map<String, String> auth = withToken ? Map.of("Authorization", "Bearer " + TOKEN) : Map.of();

        HttpResponse<String> crossSite = post("/api/apply", body, merge(auth, Map.of("Content-Type", "text/plain",
                "Origin", "http://evil.example")));
        HttpResponse<String> foreignJson = post("/api/apply", body, merge(auth, Map.of("Content-Type", "application/json",
                "Origin", "http://evil.example")));
        HttpResponse<String> plainNoOrigin = post("/api/apply", body, merge(auth, Map.of("Content-Type", "text/plain")));
        HttpResponse<String> stop = post("/api/stop", "{}", Map.of("Content-Type", "text/plain", "Origin", "http://evil.example"));

        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(foreignJson.statusCode()).isEqualTo(403);
        assertThat(plainNoOrigin.statusCode()).isEqualTo(415);
        assertThat(stop.statusCode()).isEqualTo(403);
        for (HttpResponse<String> refused : java.util.List.of(crossSite, foreignJson, plainNoOrigin, stop)) {
            assertThat(JSON.readTree(refused.body()).path("error").asText()).isNotEmpty();
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        }
        assertThat(generation()).as("nothing applied").isEqualTo(1);
    }

    @Test
    void aSameOriginJsonApplyWithTheTokenWorksAndWithoutItDoesNot() throws Exception {
        start(true, AdminApi.Leadership.ALWAYS);
        Map<String, String> sameOrigin = Map.of("Content-Type", "application/json; charset=utf-8", "Origin", base);

        HttpResponse<String> noToken = post("/api/apply", applyBody(2, true), sameOrigin);
        HttpResponse<String> wrongToken = post("/api/apply", applyBody(2, true), merge(sameOrigin,
                Map.of("Authorization", "Bearer Qk1#Zx2;tokeN")));
        HttpResponse<String> withToken = post("/api/apply", applyBody(2, true), merge(sameOrigin,
                Map.of("Authorization", "Bearer " + TOKEN)));

        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
        assertThat(JSON.readTree(withToken.body()).path("generation").asLong()).isEqualTo(2);
    }

    @Test
    void aForeignNameThatResolvesHereIsNotItsOwnOrigin() {
        assertThat(OwnOrigin.matches("http://127.0.0.1:8265", "127.0.0.1:8265")).isTrue();
        assertThat(OwnOrigin.matches("http://localhost:8265", "localhost:8265")).isTrue();
        assertThat(OwnOrigin.matches("http://[::1]:8265", "[::1]:8265")).isTrue();
        assertThat(OwnOrigin.matches("http://evil.example:8265", "evil.example:8265")).as("DNS rebinding").isFalse();
        assertThat(OwnOrigin.matches("http://127.0.0.1:9999", "127.0.0.1:8265")).isFalse();
        assertThat(OwnOrigin.matches("null", "127.0.0.1:8265")).isFalse();
    }

    @Test
    void configShowsNeitherTheTokenNorItsHash() throws Exception {
        start(true, AdminApi.Leadership.ALWAYS);

        String shown = http.send(HttpRequest.newBuilder(URI.create(base + "/api/config")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(shown).contains("admin_token = <hidden>").doesNotContain("Qk1").doesNotContain("Zx2")
                .doesNotContain("pbkdf2");
    }

    @Test
    void aStandbyAnswersWithTheLeadersAddress() throws Exception {
        start(false, new AdminApi.Leadership() {
            @Override
            public boolean leads() {
                return false;
            }

            @Override
            public Optional<String> leaderAdmin() {
                return Optional.of("127.0.0.9:8265");
            }
        });

        HttpResponse<String> answer = post("/api/apply", applyBody(1, false), Map.of("Content-Type", "application/json"));

        assertThat(answer.statusCode()).isEqualTo(307);
        assertThat(answer.headers().firstValue("Location")).contains("http://127.0.0.9:8265/api/apply");
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("leader").asText()).isEqualTo("127.0.0.9:8265");
        assertThat(store.applied()).isEmpty();
    }

    static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }
}
