package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One plugin behind many sections ({@code plugin = WordModel}), through a head started by
 * {@code bin/modelserve start}. WordModel's "model" is a text file holding a word, so which model
 * answered is plain in the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManyModelsE2ETest {
    private static final String SHARED = """
            [algopkg.WordsEn]
            plugin = WordModel
            backend = io.modelserve.examples.wordmodel.WordModel
            model = en.txt
            cpu_cost = 0.1
            route = words/en
            [algopkg.WordsZh]
            plugin = WordModel
            backend = io.modelserve.examples.wordmodel.WordModel
            model = zh.txt
            cpu_cost = 0.1
            route = words/zh
            [algopkg.Words]
            plugin = WordModel
            backend = io.modelserve.examples.wordmodel.WordModel
            models = words/*.txt
            max_models_per_replica = 3
            cpu_cost = 0.1
            route = words
            """;
    private static final int MODELS = 20;
    private static final String TOKEN = "e2e-many-models-token";
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    RunningHead.Workspace workspace;
    RunningHead head;
    Path zoo;

    @BeforeAll
    void startHead() throws Exception {
        workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        zoo = Files.createDirectories(workspace.dir().resolve("zoo"));
        Files.writeString(zoo.resolve("en.txt"), "hello\n");
        Files.writeString(zoo.resolve("zh.txt"), "nihao\n");
        Files.createDirectories(zoo.resolve("words"));
        for (int i = 0; i < MODELS; i++) {
            Files.writeString(zoo.resolve("words/w%02d.txt".formatted(i)), "word-" + i + "\n");
        }
        writeConf(SHARED);
        head = workspace.start("conf.ini");
        head.awaitReady(List.of("WordsEn", "WordsZh", "Words"), false);
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    /** conf.ini with this test's own Model_ZOO. */
    private void writeConf(String deployments) throws Exception {
        String header = workspace.header().replace("model_zoo = " + Cli.ROOT.resolve("Model_ZOO"), "model_zoo = " + zoo)
                + "admin_token = " + TOKEN + "\n";
        Files.writeString(workspace.dir().resolve("conf.ini"), header + "\n" + deployments);
    }

    @Test
    @Order(1)
    void twoSectionsOnOneJarAnswerWithTheirOwnModels() throws Exception {
        HttpResponse<String> en = head.post("/words/en", "{\"text\":\"hi\"}");
        HttpResponse<String> zh = head.post("/words/zh", "{\"text\":\"hi\"}");

        assertThat(en.statusCode()).as(en.body()).isEqualTo(200);
        assertThat(zh.statusCode()).as(zh.body()).isEqualTo(200);
        assertThat(RunningHead.json(en).path("result").path("word").asText()).isEqualTo("hello");
        assertThat(RunningHead.json(zh).path("result").path("word").asText()).isEqualTo("nihao");
        JsonNode deployments = head.adminStatus().path("deployments");
        List<String> plugins = new ArrayList<>();
        deployments.forEach(d -> plugins.add(d.path("name").asText() + "=" + d.path("plugin").asText()));
        assertThat(plugins).contains("WordsEn=WordModel", "WordsZh=WordModel");
    }

    @Test
    @Order(2)
    void aMultiplexedSectionServesTwentyModelsFromThreeSlots() throws Exception {
        for (int i = 0; i < MODELS; i++) {
            String model = "w%02d".formatted(i);
            for (int call = 0; call < 3; call++) {
                // The model by path segment, then by header.
                HttpResponse<String> response = call == 1 ? head.post("/words", "{\"text\":\"hi\"}", model)
                        : head.post("/words/" + model, "{\"text\":\"hi\"}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode result = RunningHead.json(response).path("result");
                assertThat(result.path("word").asText()).isEqualTo("word-" + i);
                assertThat(result.path("model").asText()).isEqualTo(model);
                assertThat(result.path("loads").asInt()).as("loaded once while in use").isEqualTo(1);
            }
        }
        String metrics = head.get("/-/metrics").body();
        assertThat(counter(metrics, "modelserve_model_loads_total", "result=\"miss\"")).isEqualTo(MODELS);
        assertThat(counter(metrics, "modelserve_model_loads_total", "result=\"hit\"")).isEqualTo(2 * MODELS);
        assertThat(counter(metrics, "modelserve_model_evictions_total", "")).isEqualTo(MODELS - 3);
        assertThat(loadedModels()).containsExactly("w17", "w18", "w19");
    }

    @Test
    @Order(3)
    void aModelOutsideTheSectionIsNotFound() throws Exception {
        HttpResponse<String> unknown = head.post("/words/nope", "{}");
        HttpResponse<String> none = head.post("/words", "{}");

        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(RunningHead.json(unknown).path("error").asText()).contains("no model 'nope'");
        assertThat(none.statusCode()).as(none.body()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void theModelRepositoryListsUnloadsAndLoadsWithTheAdminToken() throws Exception {
        assertThat(states()).containsEntry("w19", "LOADED").containsEntry("w18", "LOADED").containsEntry("w00", "UNLOADED");

        HttpResponse<String> refused = repository("w19", "unload", null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        HttpResponse<String> unloaded = repository("w19", "unload", TOKEN);
        assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
        assertThat(states()).containsEntry("w19", "UNLOADED");

        HttpResponse<String> loaded = repository("w03", "load", TOKEN);
        assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
        assertThat(RunningHead.json(loaded).path("changed").asBoolean()).isTrue();
        assertThat(states()).containsEntry("w03", "LOADED").containsEntry("w17", "LOADED");
        HttpResponse<String> served = head.post("/words/w03", "{}");
        assertThat(RunningHead.json(served).path("result").path("word").asText()).isEqualTo("word-3");
        assertThat(RunningHead.json(served).path("result").path("loads").asInt()).as("evicted once, loaded twice").isEqualTo(2);
        assertThat(repository("nope", "load", TOKEN).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> repository(String model, String action, String token) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                        + head.bind + ":" + head.dashboardPort + "/api/models/Words/" + model + "/" + action))
                .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** model -> LOADED or UNLOADED, from GET /api/models/Words. */
    private java.util.Map<String, String> states() throws Exception {
        HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                + head.bind + ":" + head.dashboardPort + "/api/models/Words")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        java.util.Map<String, String> states = new java.util.HashMap<>();
        RunningHead.json(response).path("models").forEach(m -> states.put(m.path("name").asText(), m.path("state").asText()));
        assertThat(states).hasSize(MODELS);
        return states;
    }

    /** The sum of a counter's series carrying {@code label} (every series when empty). */
    private static double counter(String metrics, String name, String label) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The Words replica's loaded models, as status shows them (polled: the node publishes them). */
    private List<String> loadedModels() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> models = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            models.clear();
            for (JsonNode replica : head.adminStatus().path("replicas")) {
                if (replica.path("deployment").asText().equals("Words")) {
                    replica.path("models").forEach(m -> models.add(m.asText()));
                }
            }
            if (models.size() == 3 && models.contains("w19")) {
                return models;
            }
            Thread.sleep(200);
        }
        return models;
    }

}
