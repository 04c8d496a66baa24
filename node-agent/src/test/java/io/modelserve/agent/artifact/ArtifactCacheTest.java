package io.modelserve.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.cluster.Artifact;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas load verified, content-addressed copies, so an operator copying a new jar over the old
 * one can neither break running replicas nor sneak an unapplied version into new ones.
 */
class ArtifactCacheTest {
    @TempDir
    Path dir;

    @Test
    void copiesTheSourceIntoAContentAddressedPlace() throws Exception {
        Path source = write("algopkg/AlgoExample.jar", "jar v1");
        Artifact artifact = artifactOf("AlgoExample.jar", source);
        ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), List.of());

        Path cached = cache.materialize(artifact);

        assertThat(cached).isEqualTo(dir.resolve("cache").resolve(artifact.sha256()).resolve("AlgoExample.jar"));
        assertThat(Files.readString(cached)).isEqualTo("jar v1");
        assertThat(cache.materialize(artifact)).isEqualTo(cached);
    }

    @Test
    void modelInASubfolderKeepsItsFileName() throws Exception {
        Path source = write("Model_ZOO/resnet/model.onnx", "weights");
        Artifact artifact = artifactOf("resnet/model.onnx", source);

        Path cached = new ArtifactCache(dir.resolve("cache"), List.of()).materialize(artifact);

        assertThat(cached.getFileName().toString()).isEqualTo("model.onnx");
    }

    @Test
    void sourceChangedSinceApplyIsRefused() throws Exception {
        Path source = write("algopkg/AlgoExample.jar", "jar v1");
        Artifact artifact = artifactOf("AlgoExample.jar", source);
        Files.writeString(source, "jar v2"); // same size, other content: only the digest tells

        assertThatThrownBy(() -> new ArtifactCache(dir.resolve("cache"), List.of()).materialize(artifact))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("artifact AlgoExample.jar (sha256 " + artifact.sha256().substring(0, 12) + ")")
                .hasMessageContaining("missing or changed since apply");
        assertThat(leftovers(dir.resolve("cache"))).as("no half-written or unverified file left behind").isEmpty();
    }

    @Test
    void sourceOfAnotherSizeIsRefused() throws Exception {
        Path source = write("algopkg/AlgoExample.jar", "jar v1");
        Artifact artifact = artifactOf("AlgoExample.jar", source);
        Files.writeString(source, "jar version 2, bigger");

        assertThatThrownBy(() -> new ArtifactCache(dir.resolve("cache"), List.of()).materialize(artifact))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("changed since apply");
    }

    @Test
    void cachedCopySurvivesTheSourceBeingOverwritten() throws Exception {
        Path source = write("algopkg/AlgoExample.jar", "jar v1");
        Artifact artifact = artifactOf("AlgoExample.jar", source);
        ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), List.of());
        Path cached = cache.materialize(artifact);

        Files.writeString(source, "jar v2");

        assertThat(cache.materialize(artifact)).isEqualTo(cached);
        assertThat(Files.readString(cached)).isEqualTo("jar v1");
    }

    @Test
    void remoteSourceIsUsedWhenTheFileIsNotOnThisNode() throws Exception {
        byte[] content = "weights from the head".getBytes(StandardCharsets.UTF_8);
        Artifact artifact = new Artifact("model.onnx", sha256(content), content.length, dir.resolve("not/here/model.onnx").toString());
        List<String> asked = new ArrayList<>();
        ArtifactCache.ArtifactSource hasNothing = a -> {
            asked.add("first");
            return Optional.empty();
        };
        ArtifactCache.ArtifactSource head = a -> {
            asked.add("head:" + a.sha256());
            return Optional.of(new ByteArrayInputStream(content));
        };

        Path cached = new ArtifactCache(dir.resolve("cache"), List.of(hasNothing, head)).materialize(artifact);

        assertThat(Files.readAllBytes(cached)).isEqualTo(content);
        assertThat(asked).containsExactly("first", "head:" + artifact.sha256());
    }

    @Test
    void remoteContentWithTheWrongDigestIsRefusedAndTheNextSourceTried() throws Exception {
        byte[] content = "the real weights".getBytes(StandardCharsets.UTF_8);
        Artifact artifact = new Artifact("model.onnx", sha256(content), content.length, dir.resolve("missing").toString());
        ArtifactCache.ArtifactSource corrupt = a -> Optional.of(new ByteArrayInputStream("the fake weights".getBytes(StandardCharsets.UTF_8)));
        ArtifactCache.ArtifactSource good = a -> Optional.of(new ByteArrayInputStream(content));

        assertThatThrownBy(() -> new ArtifactCache(dir.resolve("c1"), List.of(corrupt)).materialize(artifact))
                .isInstanceOf(IOException.class).hasMessageContaining("not available on this node");
        Path cached = new ArtifactCache(dir.resolve("c2"), List.of(corrupt, good)).materialize(artifact);
        assertThat(Files.readAllBytes(cached)).isEqualTo(content);
    }

    @Test
    void aPeerThatSendsMoreThanTheEntrySaysIsRefusedWithoutReadingItAll() throws Exception {
        byte[] content = "the real weights".getBytes(StandardCharsets.UTF_8);
        Artifact artifact = new Artifact("model.onnx", sha256(content), content.length, dir.resolve("missing").toString());
        long[] served = {0};
        ArtifactCache.ArtifactSource endless = a -> Optional.of(new java.io.InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 'x';
            }
        });
        ArtifactCache.ArtifactSource good = a -> Optional.of(new ByteArrayInputStream(content));

        Path cached = new ArtifactCache(dir.resolve("c3"), List.of(endless, good)).materialize(artifact);

        assertThat(Files.readAllBytes(cached)).isEqualTo(content);
        assertThat(served[0]).isLessThan(64 * 1024);
    }

    @Test
    void aHeadReadsSourcePathsOnlyInsideItsOwnDirectories() throws Exception {
        Path inside = write("algopkg/A.jar", "jar");
        Path outside = write("elsewhere/B.jar", "other");
        Artifact ok = new Artifact("A.jar", sha256(Files.readAllBytes(inside)), 3, inside.toString());
        Artifact forged = new Artifact("B.jar", sha256(Files.readAllBytes(outside)), 5, outside.toString());
        ArtifactCache cache = new ArtifactCache(dir.resolve("c4"), List.of(), true, List.of(dir.resolve("algopkg")));

        assertThat(Files.readAllBytes(cache.materialize(ok))).isEqualTo("jar".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> cache.materialize(forged)).isInstanceOf(IOException.class);
    }

    @Test
    void remoteStreamsAreClosed() throws Exception {
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        Artifact artifact = new Artifact("m.bin", sha256(content), content.length, dir.resolve("missing").toString());
        boolean[] closed = {false};
        ArtifactCache.ArtifactSource source = a -> Optional.of(new ByteArrayInputStream(content) {
            @Override
            public void close() {
                closed[0] = true;
            }
        });

        new ArtifactCache(dir.resolve("cache"), List.of(source)).materialize(artifact);

        assertThat(closed[0]).isTrue();
    }

    private Path write(String relative, String content) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        return Files.writeString(path, content);
    }

    private static Artifact artifactOf(String name, Path source) throws Exception {
        byte[] content = Files.readAllBytes(source);
        return new Artifact(name, sha256(content), content.length, source.toString());
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** Regular files under {@code root}, if it exists. */
    private static List<Path> leftovers(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
