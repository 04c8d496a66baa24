package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.DeploymentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys of built-in backends are validated like every other key: file:line, section, key, reason. */
class BuiltinOptionsTest {
    private static final BuiltinSchema CLASSIFIER = new BuiltinSchema("image-classifier", Map.of(
            "filter", new BuiltinSchema.Option(v -> v.matches("topN\\(\\d+\\)") ? Optional.empty()
                    : Optional.of("must be topN(k), got '" + v + "'"), false),
            "labels", new BuiltinSchema.Option(v -> Optional.empty(), true)));

    @TempDir
    Path dir;
    private ConfigFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ConfigFixture(dir);
        fixture.model("cls.onnx", "model bytes");
        fixture.model("labels.txt", "0\n180\n");
    }

    private ConfigResult parse(String section) throws Exception {
        Files.writeString(fixture.conf, "[MODEL SERVE]\nport = 8000\n\n" + section);
        return new ConfigParser(List.of(CLASSIFIER, BuiltinSchema.withoutOptions("onnx")), k -> null).parse(fixture.conf);
    }

    @Test
    void optionsJoinTheSpecAndItsVersionAndNamedFilesJoinTheModels() throws Exception {
        ConfigResult result = parse("[algopkg.Orientation]\nbackend = builtin:image-classifier\nmodel = cls.onnx\n"
                + "route = orientation\nfilter = topN(2)\nlabels = labels.txt\n");

        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        DeploymentSpec spec = ((ConfigResult.Valid) result).deployments().getFirst();
        assertThat(spec.options()).containsEntry("filter", "topN(2)").containsEntry("labels", "labels.txt");
        assertThat(spec.models()).extracting(a -> a.name()).containsExactly("cls.onnx", "labels.txt");

        ConfigResult changed = parse("[algopkg.Orientation]\nbackend = builtin:image-classifier\nmodel = cls.onnx\n"
                + "route = orientation\nfilter = topN(1)\nlabels = labels.txt\n");
        assertThat(((ConfigResult.Valid) changed).deployments().getFirst().version()).isNotEqualTo(spec.version());
    }

    @Test
    void aBadValueAnUnknownKeyAndAMissingFileAreReportedWithTheirLines() throws Exception {
        ConfigResult result = parse("[algopkg.Orientation]\nbackend = builtin:image-classifier\nmodel = cls.onnx\n"
                + "route = orientation\nfilter = best(2)\nlabels = nowhere.txt\ncolour = blue\n");

        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        List<ConfigError> errors = ((ConfigResult.Invalid) result).errors();
        assertThat(errors).anySatisfy(e -> {
            assertThat(e.line()).isEqualTo(8);
            assertThat(e.key()).isEqualTo("filter");
            assertThat(e.message()).contains("builtin:image-classifier filter must be topN(k)");
        });
        assertThat(errors).anySatisfy(e -> {
            assertThat(e.line()).isEqualTo(9);
            assertThat(e.key()).isEqualTo("labels");
            assertThat(e.message()).contains("not found");
        });
        assertThat(errors).anySatisfy(e -> {
            assertThat(e.line()).isEqualTo(10);
            assertThat(e.message()).contains("unknown key 'colour'").contains("keys of builtin:image-classifier: filter, labels");
        });
    }

    @Test
    void anotherBuiltinsKeysAreUnknown() throws Exception {
        ConfigResult result = parse("[algopkg.Raw]\nbackend = builtin:onnx\nmodel = cls.onnx\nroute = raw\nfilter = topN(2)\n");

        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        assertThat(((ConfigResult.Invalid) result).errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("unknown key 'filter'"));
    }
}
