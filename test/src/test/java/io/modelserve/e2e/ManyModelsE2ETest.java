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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One plugin behind many sections ({@code plugin = WordModel}), through a head started by
 * {@code bin/modelserve start}. WordModel's "model" is a text file holding a word, so which model
 * answered is plain in the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
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
            """;

    RunningHead.Workspace workspace;
    RunningHead head;
    Path zoo;

    @BeforeAll
    void startHead() throws Exception {
        workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        zoo = Files.createDirectories(workspace.dir().resolve("zoo"));
        Files.writeString(zoo.resolve("en.txt"), "hello\n");
        Files.writeString(zoo.resolve("zh.txt"), "nihao\n");
        writeConf(SHARED);
        head = workspace.start("conf.ini");
        awaitReady(List.of("WordsEn", "WordsZh"));
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    /** conf.ini with this test's own Model_ZOO. */
    private void writeConf(String deployments) throws Exception {
        String header = workspace.header().replace("model_zoo = " + Cli.ROOT.resolve("Model_ZOO"), "model_zoo = " + zoo);
        Files.writeString(workspace.dir().resolve("conf.ini"), header + "\n" + deployments);
    }

    @Test
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

    /** Polls until the cluster has converged with {@code deployments}, each with a ready replica. */
    private void awaitReady(List<String> deployments) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = head.adminStatus();
            List<String> ready = new ArrayList<>();
            status.path("deployments").forEach(d -> {
                if (d.path("ready").asInt() >= 1) {
                    ready.add(d.path("name").asText());
                }
            });
            if (status.path("converged").asBoolean() && ready.containsAll(deployments)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not converged with " + deployments + " ready within 120 s: " + status);
    }
}
