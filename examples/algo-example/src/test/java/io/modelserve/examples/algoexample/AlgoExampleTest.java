package io.modelserve.examples.algoexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.testkit.PluginUnderTest;
import io.modelserve.testkit.RouteAnswer;
import io.modelserve.testkit.TestReplica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AlgoExample run as a node runs it, through the test kit: its own classloader, the route's JSON. */
class AlgoExampleTest {

    private static final Path LEXICON = Path.of("src/main/model/algoexample_lexicon_v1.txt");

    private static TestReplica started(Map<String, String> config) throws Exception {
        return PluginUnderTest.of(AlgoExample.class).withModel(LEXICON).withConfig(config).start();
    }

    @Test
    void scoresTextWithTheLexiconAndEchoesTheRequest() throws Exception {
        try (TestReplica replica = started(Map.of("greeting", "hi"))) {
            RouteAnswer answer = replica.route("{\"text\":\"A great, really GOOD day; not terrible!\",\"n\":3}");

            assertThat(answer.httpStatus()).as(answer.body()).isEqualTo(200);
            assertThat(answer.json().path("info").asText()).isEqualTo("testkit/" + replica.replicaId());
            JsonNode result = answer.result();
            assertThat(result.path("score").asDouble()).isCloseTo(2.0 + 1.0 - 0.5 - 3.0, within(1e-9));
            assertThat(result.path("params").path("n").asInt()).isEqualTo(3);
            assertThat(result.path("models").toString()).isEqualTo("[\"algoexample_lexicon_v1.txt\"]");
            assertThat(result.path("config").toString()).isEqualTo("{\"greeting\":\"hi\"}");
            assertThat(result.path("replica").asText()).isEqualTo(replica.replicaId());
            assertThat(result.path("initCount").asInt()).isEqualTo(1);
            assertThat(result.path("reconfigureCount").asInt()).isZero();
        }
    }

    @Test
    void answersWithoutScoreWhenThereIsNoText() throws Exception {
        try (TestReplica replica = started(Map.of())) {
            JsonNode result = replica.inference("{}");

            assertThat(result.has("score")).isFalse();
            assertThat(result.has("params")).isTrue();
        }
    }

    @Test
    void reconfigureReplacesTheConfigInPlace() throws Exception {
        try (TestReplica replica = started(Map.of("threshold", "1"))) {
            replica.reconfigure(Map.of("threshold", "2", "mode", "fast"));
            replica.reconfigure(Map.of("threshold", "3"));

            JsonNode result = replica.inference("{}");
            assertThat(result.path("config").toString()).isEqualTo("{\"threshold\":\"3\"}");
            assertThat(result.path("initCount").asInt()).isEqualTo(1);
            assertThat(result.path("reconfigureCount").asInt()).isEqualTo(2);
            assertThat(replica.healthy()).isTrue();
        }
    }

    @Test
    void rejectsAMalformedLexiconNamingTheLine(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.txt"), "good\t1\nbroken line\n");

        assertThatThrownBy(() -> PluginUnderTest.of(AlgoExample.class).withModel(bad).start())
                .isInstanceOf(IOException.class).hasMessageContaining("bad.txt:2");
    }
}
