package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plugin = <Name>}: many sections run one jar or folder, each with its own models and route. */
class SharedPluginConfigTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
    }

    @Test
    void twoSectionsRunOnePluginWithTheirOwnModels() throws Exception {
        fx.jar("TextEmbedding", "org.example.Embed");
        fx.model("en.txt", "english");
        fx.model("zh.txt", "chinese");
        ConfigResult.Valid valid = fx.valid(SERVE + """
                [algopkg.EmbedEn]
                plugin = TextEmbedding
                backend = org.example.Embed
                model = en.txt
                route = embed/en
                [algopkg.EmbedZh]
                plugin = TextEmbedding
                backend = org.example.Embed
                model = zh.txt
                route = embed/zh
                """);

        DeploymentSpec en = valid.deployments().get(0);
        DeploymentSpec zh = valid.deployments().get(1);
        assertThat(en.name()).isEqualTo("EmbedEn");
        assertThat(en.plugin()).isEqualTo("TextEmbedding");
        assertThat(zh.plugin()).isEqualTo("TextEmbedding");
        assertThat(en.pluginJars()).isEqualTo(zh.pluginJars()); // one jar, digested and shipped once
        assertThat(en.models().getFirst().name()).isEqualTo("en.txt");
        assertThat(zh.models().getFirst().name()).isEqualTo("zh.txt");
        assertThat(en.version()).isNotEqualTo(zh.version());
    }

    @Test
    void withoutThePluginKeyTheSectionNamesItsPlugin() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        DeploymentSpec spec = fx.valid(SERVE + ConfigFixture.foo()).deployments().getFirst();

        assertThat(spec.plugin()).isEqualTo("Foo");
    }

    @Test
    void aMissingPluginIsReportedOnThePluginKey() throws Exception {
        ConfigError error = fx.error(SERVE + ConfigFixture.foo("plugin = Nowhere"));

        assertThat(error.key()).isEqualTo("plugin");
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.message()).contains("plugin not found").contains("Nowhere.jar");
    }

    @Test
    void aPluginNameMustStayInsideAlgopkg() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigError error = fx.error(SERVE + ConfigFixture.foo("plugin = ../Foo"));

        assertThat(error.key()).isEqualTo("plugin");
        assertThat(error.message()).contains("directly in algopkg_dir");
    }

    @Test
    void aBuiltinTakesNoPlugin() throws Exception {
        ConfigError error = fx.error(SERVE + """
                [algopkg.Echo]
                backend = builtin:echo
                plugin = Foo
                route = echo
                """);

        assertThat(error.key()).isEqualTo("plugin");
        assertThat(error.message()).contains("builtin");
    }

    @Test
    void modelsByGlobMultiplexTheSection() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        fx.model("words/w1.txt", "one");
        fx.model("words/w2.txt", "two");
        fx.model("other.bin", "x");
        DeploymentSpec spec = fx.valid(SERVE + ConfigFixture.foo("models = words/*.txt", "max_models_per_replica = 3"))
                .deployments().getFirst();

        assertThat(spec.isMultiplexed()).isTrue();
        assertThat(spec.multiplex().names()).containsExactly("w1", "w2");
        assertThat(spec.multiplex().maxPerReplica()).isEqualTo(3);
    }

    @Test
    void multiplexingNeedsItsTwoKeysAndAnExactRoute() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        fx.model("w1.txt", "one");

        assertThat(fx.error(SERVE + ConfigFixture.foo("models = w1.txt")).message()).contains("max_models_per_replica");
        assertThat(fx.error(SERVE + ConfigFixture.foo("max_models_per_replica = 2")).message()).contains("needs models");
        assertThat(fx.error(SERVE + ConfigFixture.foo("models = nothing/*.txt", "max_models_per_replica = 2")).message())
                .contains("matches no file");
        assertThat(fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = foo/*\nmodels = w1.txt\n"
                + "max_models_per_replica = 2\n").key()).isEqualTo("route");
    }
}
