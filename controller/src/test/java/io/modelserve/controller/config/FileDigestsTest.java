package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.Artifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {
    @TempDir
    Path dir;

    @Test
    void unchangedFileIsNotReadAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("m.onnx"), "abc");
        FileDigests digests = new FileDigests();

        Artifact first = digests.artifact("m.onnx", file);
        Artifact second = digests.artifact("m.onnx", file);

        assertThat(first.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(first.size()).isEqualTo(3);
        assertThat(first.sourcePath()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(second).isEqualTo(first);
        assertThat(digests.filesRead()).isEqualTo(1);
    }

    @Test
    void changedFileIsReadAgainEvenWithTheSameSize() throws Exception {
        Path file = Files.writeString(dir.resolve("m.onnx"), "abc");
        FileDigests digests = new FileDigests();
        Artifact before = digests.artifact("m.onnx", file);

        Files.writeString(file, "xyz");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Artifact after = digests.artifact("m.onnx", file);

        assertThat(after.sha256()).isNotEqualTo(before.sha256());
        assertThat(digests.filesRead()).isEqualTo(2);
    }

    @Test
    void repeatedParsesShareTheCache() throws Exception {
        ConfigFixture fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
        fx.model("m.onnx", "weights");
        Files.writeString(fx.conf, ConfigFixture.SERVE + ConfigFixture.foo("model = m.onnx"));
        FileDigests digests = new FileDigests();
        ConfigParser parser = new ConfigParser(java.util.Set.of(), k -> null, digests);

        ConfigResult first = parser.parse(fx.conf);
        ConfigResult second = parser.parse(fx.conf);

        assertThat(second).isEqualTo(first).isInstanceOf(ConfigResult.Valid.class);
        assertThat(digests.filesRead()).isEqualTo(2);
    }
}
