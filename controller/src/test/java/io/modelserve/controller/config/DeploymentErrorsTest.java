package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per kind of mistake in an [algopkg.<Name>] section, plugins and models included. */
class DeploymentErrorsTest {
    @TempDir
    Path dir;
    @TempDir
    Path outside;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
        fx.model("m.onnx", "m");
    }

    /** The deployment section starts at line 2; foo() puts backend at 3, route at 4, extras from 5. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "replicas = 1.5           | replicas       | must be a whole number >= 0, got '1.5'",
        "gpu_cost = 1.5           | gpu_cost       | must be a decimal in 0..1 with at most 3 decimals (e.g. 0.5), got '1.5'",
        "gpu_cost = 0.1234        | gpu_cost       | got '0.1234'",
        "gpu_memory = 6GB         | gpu_memory     | must be a size such as 512m or 6g, got '6GB'",
        "gpu_memory = 0g          | gpu_memory     | must be more than 0",
        "cpu_cost = -1            | cpu_cost       | must be a decimal >= 0 with at most 3 decimals",
        "cpu_cost = 1e3           | cpu_cost       | got '1e3'",
        "method = PUT             | method         | must be GET, POST or GET,POST, got 'PUT'",
        "method = GET,GET         | method         | got 'GET,GET'",
        "method = GET,            | method         | got 'GET,'",
        "max_batch_size = 0       | max_batch_size | must be a whole number in 1..1024, got '0'",
        "max_batch_size = 1025    | max_batch_size | in 1..1024",
        "batch_wait_ms = 10001    | batch_wait_ms  | must be a whole number in 0..10000",
        "max_queued = 0           | max_queued     | must be a whole number in 1..100000",
        "timeout_ms = 3600001     | timeout_ms     | must be a whole number in 1..3600000",
        "config. = x              | config.        | config key after 'config.' must be non-empty",
        "config.a b = x           | config.a b     | must be non-empty and match [A-Za-z0-9_.-]+",
        "colour = blue            | colour         | unknown key 'colour'; known keys: backend, model, replicas",
        "replicas = 3..1          | replicas       | a range must be min..max with min <= max and max >= 1",
        "target_ongoing = 2       | target_ongoing | only with autoscaling: write replicas as a range",
        "isolation = docker       | isolation      | must be in-process or process, got 'docker'",
        "memory_limit = 512m      | memory_limit   | only with isolation = process",
        "model = m.onnx,,          | model          | empty file name",
        "model = m.onnx, m.onnx   | model          | 'm.onnx' is listed twice",
        "model = missing.onnx     | model          | model file not found",
        "model = ../conf.ini      | model          | leaves Model_ZOO",
        "model = a/../../conf.ini | model          | leaves Model_ZOO",
        "model = /etc/hostname    | model          | is an absolute path",
    })
    void badDeploymentValue(String line, String key, String fragment) throws Exception {
        ConfigError error = fx.error(SERVE + foo(line));
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.section()).isEqualTo("algopkg.Foo");
        assertThat(error.key()).isEqualTo(key);
        assertThat(error.message()).contains(fragment);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-/healthz       | reserved for modelserve",
        "/-              | reserved for modelserve",
        "v2              | Open Inference Protocol",
        "/v2/models/x    | Open Inference Protocol",
        "v1/embeddings   | OpenAI's embeddings API",
        "/v1/models/x    | OpenAI's embeddings API",
        "a//b            | path segments",
        "a b             | path segments",
        "x/../y          | '..' segments",
        "'/'             | path segments",
    })
    void badRoute(String route, String fragment) throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = " + route + "\n");
        assertThat(error.line()).isEqualTo(4);
        assertThat(error.key()).isEqualTo("route");
        assertThat(error.message()).contains(fragment);
    }

    @Test
    void requiredKeysAreReportedAtTheSectionLine() throws Exception {
        List<ConfigError> errors = fx.errors(SERVE + "[algopkg.Foo]\nreplicas = 1\n");
        assertThat(errors).extracting(ConfigError::line).containsExactly(2, 2);
        assertThat(errors).extracting(ConfigError::key).containsExactly("backend", "route");
        assertThat(errors).allSatisfy(e -> assertThat(e.message()).isEqualTo("required key is missing"));
    }

    @Test
    void backendMustBeAClassName() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.\nroute = foo\n");
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.key()).isEqualTo("backend");
        assertThat(error.message()).contains("Java class name").contains("'org.example.'");
    }

    @Test
    void unknownBuiltinListsTheKnownOnes() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = builtin:tflite\nroute = foo\n");
        assertThat(error.key()).isEqualTo("backend");
        assertThat(error.message()).contains("unknown builtin 'tflite'").contains("echo, onnx");
    }

    @Test
    void missingPluginNamesBothPlacesLookedAt() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = bar\n");
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.key()).isEqualTo("backend");
        assertThat(error.message()).contains("plugin not found")
                .contains(fx.algopkg.resolve("Bar.jar").toString())
                .contains(fx.algopkg.resolve("Bar") + "/");
    }

    @Test
    void missingClassNamesTheClassAndTheJarsSearched() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Other\nroute = foo\n");
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.message()).contains("class org.example.Other not found")
                .contains("org/example/Other.class").contains(fx.algopkg.resolve("Foo.jar").toString());
    }

    @Test
    void nestedClassIsFoundByItsBinaryName() throws Exception {
        fx.jar("Bar", "org.example.Outer$Inner");
        assertThat(fx.parse(SERVE + "[algopkg.Bar]\nbackend = org.example.Outer$Inner\nroute = bar\n"))
                .isInstanceOf(ConfigResult.Valid.class);
    }

    @Test
    void corruptJarIsReported() throws Exception {
        Files.writeString(fx.algopkg.resolve("Foo.jar"), "this is not a zip");
        List<ConfigError> errors = fx.errors(SERVE + foo());
        assertThat(errors).extracting(ConfigError::key).containsOnly("backend");
        assertThat(errors.get(0).message()).contains("cannot open jar").contains("Foo.jar");
    }

    @Test
    void emptyPluginDirectoryIsReported() throws Exception {
        Files.createDirectories(fx.algopkg.resolve("Bar"));
        ConfigError error = fx.error(SERVE + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = bar\n");
        assertThat(error.message()).contains("holds no *.jar files");
    }

    @Test
    void jarAndDirectoryTogetherAreAmbiguous() throws Exception {
        ConfigFixture.writeJar(fx.algopkg.resolve("Foo/x.jar"), "x", "org.example.Foo");
        ConfigError error = fx.error(SERVE + foo());
        assertThat(error.message()).contains("keep one of them");
    }

    @Test
    void modelSymlinkLeavingTheZooIsRejected() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.key"), "key");
        Files.createSymbolicLink(fx.modelZoo.resolve("innocent.onnx"), secret);
        ConfigError error = fx.error(SERVE + foo("model = innocent.onnx"));
        assertThat(error.key()).isEqualTo("model");
        assertThat(error.message()).contains("leaves Model_ZOO through a symbolic link");
    }

    @Test
    void symlinkInsideTheZooIsFine() throws Exception {
        Files.createSymbolicLink(fx.modelZoo.resolve("alias.onnx"), fx.modelZoo.resolve("m.onnx"));
        assertThat(fx.parse(SERVE + foo("model = alias.onnx"))).isInstanceOf(ConfigResult.Valid.class);
    }

    @Test
    void modelThatIsADirectoryIsRejected() throws Exception {
        Files.createDirectories(fx.modelZoo.resolve("adir"));
        ConfigError error = fx.error(SERVE + foo("model = adir"));
        assertThat(error.message()).contains("not a regular file");
    }

    @Test
    void pluginJarSymlinkLeavingAlgopkgIsRejected() throws Exception {
        Path jar = outside.resolve("Bar.jar");
        ConfigFixture.writeJar(jar, "x", "org.example.Bar");
        Files.createSymbolicLink(fx.algopkg.resolve("Bar.jar"), jar);
        ConfigError error = fx.error(SERVE + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = bar\n");
        assertThat(error.key()).isEqualTo("backend");
        assertThat(error.message()).contains("leaves algopkg through a symbolic link");
    }

    @Test
    void jarInPluginDirectoryLinkingOutsideIsRejected() throws Exception {
        Path jar = outside.resolve("lib.jar");
        ConfigFixture.writeJar(jar, "x", "org.example.Bar");
        Files.createDirectories(fx.algopkg.resolve("Bar"));
        Files.createSymbolicLink(fx.algopkg.resolve("Bar/lib.jar"), jar);
        ConfigError error = fx.error(SERVE + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = bar\n");
        assertThat(error.message()).contains("'Bar/lib.jar' leaves algopkg through a symbolic link");
    }
}
