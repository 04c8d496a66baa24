package io.modelserve.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedFilesTest {
    @TempDir
    Path dir;

    private static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void servesOnlyFilesUnderItsDirectoriesWhoseContentHasTheDigest() throws Exception {
        Path algopkg = Files.createDirectories(dir.resolve("algopkg"));
        Path zoo = Files.createDirectories(dir.resolve("Model_ZOO/sub"));
        Path jar = Files.write(algopkg.resolve("A.jar"), "jar bytes".getBytes());
        Path model = Files.write(zoo.resolve("m.onnx"), "model bytes".getBytes());
        Path outside = Files.write(dir.resolve("secret.txt"), "outside".getBytes());
        Files.createSymbolicLink(algopkg.resolve("link.jar"), outside);
        Files.createSymbolicLink(algopkg.resolve("dirlink"), dir);
        ServedFiles files = new ServedFiles(dir.resolve("cache"), List.of(algopkg, dir.resolve("Model_ZOO")));

        assertThat(files.find(sha("jar bytes".getBytes()))).contains(jar.toRealPath());
        assertThat(files.find(sha("model bytes".getBytes()))).contains(model.toRealPath());
        assertThat(files.find(sha("outside".getBytes()))).as("a link out of algopkg/").isEmpty();
        assertThat(files.find(sha(Files.readAllBytes(Path.of("/etc/hostname"))))).isEmpty();
        assertThat(files.find("0".repeat(64))).isEmpty();
        assertThat(files.find("../../etc/hostname")).isEmpty();
        assertThat(files.find(sha("jar bytes".getBytes()).toUpperCase())).isEmpty();
    }

    @Test
    void aChangedFileIsHashedAgainAndTheCacheServesItsOwnEntries() throws Exception {
        Path algopkg = Files.createDirectories(dir.resolve("algopkg"));
        Path jar = Files.write(algopkg.resolve("A.jar"), "v1".getBytes());
        ServedFiles files = new ServedFiles(dir.resolve("cache"), List.of(algopkg));
        assertThat(files.find(sha("v1".getBytes()))).isPresent();
        Files.write(jar, "v2-longer".getBytes());
        assertThat(files.find(sha("v1".getBytes()))).isEmpty();
        assertThat(files.find(sha("v2-longer".getBytes()))).isPresent();

        String cachedSha = sha("cached".getBytes());
        Path cached = Files.write(Files.createDirectories(dir.resolve("cache").resolve(cachedSha)).resolve("x.bin"),
                "cached".getBytes());
        assertThat(new ServedFiles(dir.resolve("cache"), List.of()).find(cachedSha)).contains(cached.toRealPath());
        Path lying = Files.createDirectories(dir.resolve("cache").resolve("1".repeat(64)));
        Files.write(lying.resolve("x.bin"), "not that digest".getBytes());
        assertThat(new ServedFiles(dir.resolve("cache"), List.of()).find("1".repeat(64))).isEmpty();
    }

    @Test
    void sourcePathsOutsideTheDirectoriesAreNotRead() throws Exception {
        Path algopkg = Files.createDirectories(dir.resolve("algopkg"));
        assertThat(ServedFiles.isUnder(Files.write(algopkg.resolve("A.jar"), new byte[1]), List.of(algopkg))).isTrue();
        assertThat(ServedFiles.isUnder(Path.of("/etc/hostname"), List.of(algopkg))).isFalse();
        assertThat(ServedFiles.isUnder(algopkg.resolve("../../../etc/hostname"), List.of(algopkg))).isFalse();
    }
}
