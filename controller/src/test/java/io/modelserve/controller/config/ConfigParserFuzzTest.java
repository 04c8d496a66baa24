package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * conf.ini comes from an operator, or from whoever can reach the admin API: whatever the text, the
 * parser answers Valid or Invalid, never throws and never hits its own "internal error" net.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code ConfigParserFuzzTestInputs/} as
 * ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class ConfigParserFuzzTest {
    private static Path root;
    private static Path conf;
    private static ConfigParser parser;

    @BeforeAll
    static void operatorDirectory() throws IOException {
        root = Files.createTempDirectory("conf-fuzz");
        ConfigFixture fx = new ConfigFixture(root);
        fx.jar("Foo", "org.example.Foo");
        fx.jar("AlgoExample", "org.example.AlgoBackendImpl");
        fx.model("m.onnx", "weights");
        fx.model("sub/n.onnx", "weights");
        Files.writeString(root.resolve("outside.onnx"), "not in the zoo");
        conf = root.resolve("conf.ini");
        Map<String, String> env = Map.of("TOKEN", "secret-token", "EMPTY", "");
        parser = new ConfigParser(Set.of("echo", "onnx"), env::get);
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ConfigResult result = parser.parse(conf, text);

        assertThat(result).isNotNull();
        if (result instanceof ConfigResult.Invalid invalid) {
            assertThat(invalid.errors()).allSatisfy(error ->
                    assertThat(error.toString()).doesNotContain("internal error"));
        }
    }
}
