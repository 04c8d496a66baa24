package io.modelserve.examples.algoexample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlgoExampleTest {

    private static final Path LEXICON = Path.of("src/main/model/algoexample_lexicon_v1.txt");

    private static AlgoExample started(Map<String, String> config) throws Exception {
        AlgoExample backend = new AlgoExample();
        backend.init(new TestContext("r-1", List.of(LEXICON), config));
        return backend;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> answer(AlgoExample backend, String json) throws Exception {
        return (Map<String, Object>) backend.inference(TestRequest.of(json));
    }

    @Test
    void scoresTextWithTheLexiconAndEchoesTheRequest() throws Exception {
        Map<String, Object> result = answer(started(Map.of("greeting", "hi")), "{\"text\":\"A great, really GOOD day; not terrible!\",\"n\":3}");

        assertThat((double) result.get("score")).isCloseTo(2.0 + 1.0 - 0.5 - 3.0, within(1e-9));
        assertThat(((JsonNode) result.get("params")).get("n").asInt()).isEqualTo(3);
        assertThat(result.get("models")).isEqualTo(List.of("algoexample_lexicon_v1.txt"));
        assertThat(result.get("config")).isEqualTo(Map.of("greeting", "hi"));
        assertThat(result).containsEntry("replica", "r-1").containsEntry("initCount", 1).containsEntry("reconfigureCount", 0);
    }

    @Test
    void answersWithoutScoreWhenThereIsNoText() throws Exception {
        assertThat(answer(started(Map.of()), "{}")).doesNotContainKey("score").containsKey("params");
    }

    @Test
    void reconfigureReplacesTheConfigInPlace() throws Exception {
        AlgoExample backend = started(Map.of("threshold", "1"));

        backend.reconfigure(Map.of("threshold", "2", "mode", "fast"));
        backend.reconfigure(Map.of("threshold", "3"));

        Map<String, Object> result = answer(backend, "{}");
        assertThat(result.get("config")).isEqualTo(Map.of("threshold", "3"));
        assertThat(result).containsEntry("initCount", 1).containsEntry("reconfigureCount", 2).containsEntry("replica", "r-1");
        assertThat(backend.healthy()).isTrue();
    }

    @Test
    void rejectsAMalformedLexiconNamingTheLine(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.txt"), "good\t1\nbroken line\n");

        assertThatThrownBy(() -> new AlgoExample().init(new TestContext("r-1", List.of(bad), Map.of())))
                .isInstanceOf(IOException.class).hasMessageContaining("bad.txt:2");
    }
}
