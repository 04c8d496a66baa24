package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per kind of mistake an operator can make in conf.ini (structure and [MODEL SERVE]). */
class ConfigErrorsTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
    }

    @Test
    void formatsAsFileLineSectionKeyMessage() {
        assertThat(new ConfigError("conf.ini", 12, "algopkg.Foo", "replicas", "must be a whole number >= 0, got '-2'"))
                .hasToString("conf.ini:12: [algopkg.Foo] replicas: must be a whole number >= 0, got '-2'");
        assertThat(new ConfigError("conf.ini", 1, null, null, "missing")).hasToString("conf.ini:1: missing");
    }

    @Test
    void negativeReplicas() throws Exception {
        ConfigError error = fx.error(SERVE + foo("replicas = -2"));
        assertThat(error).hasToString("conf.ini:5: [algopkg.Foo] replicas: must be a whole number >= 0, got '-2'");
    }

    @Test
    void stateDirThatIsAFile() throws Exception {
        Files.writeString(dir.resolve("taken"), "not a directory");
        ConfigError error = fx.error("[MODEL SERVE]\nport = 8001\nstate_dir = taken\n" + foo());
        assertThat(error).hasToString("conf.ini:3: [MODEL SERVE] state_dir: not a directory: " + dir.resolve("taken"));
    }

    @Test
    void stateDirDefaultsToStateBesideConfIniAndIsResolvedAgainstIt() throws Exception {
        assertThat(fx.valid(SERVE + foo()).settings().stateDir()).isEqualTo(dir.resolve("state").toString());
        assertThat(fx.valid("[MODEL SERVE]\nstate_dir = var/../head-state\n" + foo()).settings().stateDir())
                .isEqualTo(dir.resolve("head-state").toString());
    }

    @Test
    void keyGivenTwice() throws Exception {
        ConfigError error = fx.error("[MODEL SERVE]\nport = 8001\nport = 8002\n" + foo());
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.section()).isEqualTo("MODEL SERVE");
        assertThat(error.key()).isEqualTo("port");
        assertThat(error.message()).contains("given twice").contains("line 2");
    }

    @Test
    void sectionGivenTwice() throws Exception {
        ConfigError error = fx.error(SERVE + foo() + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = other\n");
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.section()).isEqualTo("algopkg.Foo");
        assertThat(error.message()).contains("section given twice").contains("line 2");
    }

    @Test
    void keyOutsideAnySection() throws Exception {
        ConfigError error = fx.error("; header\nport = 1\n" + SERVE + foo());
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.section()).isNull();
        assertThat(error.key()).isEqualTo("port");
        assertThat(error.message()).contains("outside any section");
    }

    @Test
    void missingServeSectionIsOneErrorAtLineOne() throws Exception {
        ConfigError error = fx.error("\n\n" + foo());
        assertThat(error.line()).isEqualTo(1);
        assertThat(error.message()).contains("missing required section [MODEL SERVE]");
    }

    @Test
    void unknownSection() throws Exception {
        ConfigError error = fx.error(SERVE + "[model serve]\nport = 1\n" + foo());
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.section()).isEqualTo("model serve");
        assertThat(error.message()).contains("unknown section");
    }

    @Test
    void invalidPackageName() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.9lives]\nbackend = a.B\nroute = x\n");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.message()).contains("'9lives'").contains("[A-Za-z][A-Za-z0-9_-]*");
    }

    @Test
    void malformedLinesAndHeaders() throws Exception {
        List<ConfigError> errors = fx.errors(SERVE + "just words\n[broken\nhost: x = 1\n[]\n" + foo());
        assertThat(errors).extracting(ConfigError::line).containsExactly(2, 3, 4, 5);
        assertThat(errors.get(0).message()).contains("malformed line 'just words'").contains("key = value");
        assertThat(errors.get(1).message()).contains("malformed section header '[broken'");
        assertThat(errors.get(2).message()).contains("malformed line");
        assertThat(errors.get(3).message()).contains("malformed section header");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "port = 0             | port           | must be a whole number in 1..65535, got '0'",
        "port = 65536         | port           | must be a whole number in 1..65535, got '65536'",
        "port = http          | port           | got 'http'",
        "dashboard_port = 8000| dashboard_port | must differ from port",
        "grpc_port = 8000     | grpc_port      | must differ from port (8000) and dashboard_port (8265)",
        "grpc_port = 8265     | grpc_port      | must differ from port",
        "grpc_port = 70000    | grpc_port      | must be a whole number in 0..65535, got '70000'",
        "cluster_name = a b   | cluster_name   | must match [A-Za-z0-9_-]+, got 'a b'",
        "max_body_bytes = 1023| max_body_bytes | must be a whole number >= 1024, got '1023'",
        "algopkg_dir = nope   | algopkg_dir    | directory does not exist",
        "model_zoo = nope     | model_zoo      | directory does not exist",
        "log_dir =            | log_dir        | must not be empty",
        "colour = blue        | colour         | unknown key 'colour'; known keys: port, dashboard_port",
    })
    void badServeValue(String line, String key, String fragment) throws Exception {
        ConfigError error = fx.error("[MODEL SERVE]\n" + line + "\n" + foo());
        assertThat(error.file()).isEqualTo("conf.ini");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.section()).isEqualTo("MODEL SERVE");
        assertThat(error.key()).isEqualTo(key);
        assertThat(error.message()).contains(fragment);
    }

    @Test
    void defaultedDirectoryThatIsMissingIsReportedAtTheSectionLine() throws Exception {
        Files.delete(fx.modelZoo);
        List<ConfigError> errors = fx.errors("\n[MODEL SERVE]\nport = 8001\n" + foo());
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(2);
        assertThat(errors.get(0).key()).isEqualTo("model_zoo");
        assertThat(errors.get(0).message()).contains(fx.modelZoo.toString());
    }

    @Test
    void directoryKeyNamingAFileIsRejected() throws Exception {
        Files.writeString(dir.resolve("afile"), "x");
        ConfigError error = fx.error("[MODEL SERVE]\nalgopkg_dir = afile\n" + foo());
        assertThat(error.key()).isEqualTo("algopkg_dir");
        assertThat(error.message()).contains("directory does not exist");
    }

    @Test
    void missingEnvironmentVariableIsNamedButNoTokenIsShown() throws Exception {
        ConfigError error = fx.error("[MODEL SERVE]\nadmin_token = ${MS_TOKEN}\n" + foo());
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.key()).isEqualTo("admin_token");
        assertThat(error.message()).contains("MS_TOKEN").contains("not set");
    }

    @Test
    void emptyEnvironmentVariableIsAnError() throws Exception {
        List<ConfigError> errors = fx.errors("[MODEL SERVE]\nadmin_token = ${MS_TOKEN}\n" + foo(), Map.of("MS_TOKEN", ""));
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.message()).contains("MS_TOKEN is empty"));
    }

    @Test
    void partialTokenReferenceIsRejectedWithoutEchoingTheToken() throws Exception {
        ConfigError error = fx.error("[MODEL SERVE]\nadmin_token = hunter2${X}\n" + foo());
        assertThat(error.key()).isEqualTo("admin_token");
        assertThat(error.toString()).doesNotContain("hunter2");
    }

    @Test
    void duplicateRouteNamesTheOtherSection() throws Exception {
        fx.jar("Bar", "org.example.Bar");
        ConfigError error = fx.error(SERVE + foo() + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = /foo\n");
        assertThat(error.line()).isEqualTo(7);
        assertThat(error.section()).isEqualTo("algopkg.Bar");
        assertThat(error.key()).isEqualTo("route");
        assertThat(error.message()).contains("'/foo'").contains("[algopkg.Foo]");
    }

    @Test
    void everyErrorIsReportedAtOnceSortedByLine() throws Exception {
        String text = """
                [MODEL SERVE]
                port = 0
                colour = blue
                [algopkg.Foo]
                backend = org.example.Missing
                replicas = many
                gpu_cost = 2
                route = v2/models
                method = PUT
                timeout_ms = 0
                replicas = 3
                [elsewhere]
                """;
        List<ConfigError> errors = fx.errors(text);
        assertThat(errors).extracting(ConfigError::line).containsExactly(2, 3, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(errors).extracting(ConfigError::key).containsExactly("port", "colour", "backend", "replicas",
                "gpu_cost", "route", "method", "timeout_ms", "replicas", null);
    }
}
