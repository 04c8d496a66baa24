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

/**
 * SECURITY.md's promises about conf.ini: model and plugin paths stay inside their directories
 * (whatever the spelling, symbolic links included), and the cluster secret never sits in the file.
 */
class ContainmentAndSecretsTest {
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

    @Test
    void anAbsoluteModelPathOutsideTheZooIsRejected() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.key"), "key");
        ConfigResult result = fx.parse(SERVE + foo("model = " + secret));
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        assertThat(((ConfigResult.Invalid) result).errors()).anySatisfy(error -> assertThat(error.key()).isEqualTo("model"));
    }

    @Test
    void aSymlinkedDirectoryInsideTheZooLeadingOutIsRejected() throws Exception {
        Files.writeString(outside.resolve("weights.onnx"), "w");
        Files.createSymbolicLink(fx.modelZoo.resolve("linked"), outside);
        ConfigError error = fx.error(SERVE + foo("model = linked/weights.onnx"));
        assertThat(error.key()).isEqualTo("model");
        assertThat(error.message()).contains("leaves Model_ZOO");
    }

    @Test
    void aPluginDirectoryThatIsASymlinkOutOfAlgopkgIsRejected() throws Exception {
        Path plugin = Files.createDirectories(outside.resolve("Bar"));
        ConfigFixture.writeJar(plugin.resolve("bar.jar"), "x", "org.example.Bar");
        Files.createSymbolicLink(fx.algopkg.resolve("Bar"), plugin);
        ConfigResult result = fx.parse(SERVE + "[algopkg.Bar]\nbackend = org.example.Bar\nroute = bar\n");
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        assertThat(((ConfigResult.Invalid) result).errors()).anySatisfy(error ->
                assertThat(error.message()).contains("leaves algopkg"));
    }

    @Test
    void aPackageNameCannotClimbOutOfAlgopkg() throws Exception {
        ConfigFixture.writeJar(dir.resolve("Escape.jar"), "x", "org.example.Escape");
        ConfigResult result = fx.parse(SERVE + "[algopkg.../Escape]\nbackend = org.example.Escape\nroute = escape\n");
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
    }

    @Test
    void theClusterSecretComesFromTheEnvironment() throws Exception {
        ConfigResult result = fx.parse(SERVE + "cluster_secret = ${MS_SECRET}\n" + foo(), Map.of("MS_SECRET", "s3cret"));
        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        assertThat(((ConfigResult.Valid) result).settings().clusterSecret()).isEqualTo("s3cret");
        assertThat(((ConfigResult.Valid) result).settings().toString()).doesNotContain("s3cret").contains("clusterSecret=<set>");
        assertThat(fx.valid(SERVE + foo()).settings().clusterSecret()).isEmpty();
    }

    @Test
    void aLiteralClusterSecretIsRejectedWithoutEchoingIt() throws Exception {
        ConfigError error = fx.error(SERVE + "cluster_secret = hunter2\n" + foo());
        assertThat(error.key()).isEqualTo("cluster_secret");
        assertThat(error.message()).contains("must be exactly ${ENV_VAR}").doesNotContain("hunter2");
    }

    @Test
    void anUnsetOrEmptyVariableIsAnError() throws Exception {
        List<ConfigError> unset = fx.errors(SERVE + "cluster_secret = ${MS_SECRET}\n" + foo());
        assertThat(unset).singleElement().satisfies(error -> assertThat(error.message()).contains("MS_SECRET is not set"));
        List<ConfigError> empty = fx.errors(SERVE + "cluster_secret = ${MS_SECRET}\n" + foo(), Map.of("MS_SECRET", " "));
        assertThat(empty).singleElement().satisfies(error -> assertThat(error.message()).contains("MS_SECRET is empty"));
    }
}
