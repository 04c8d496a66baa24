package io.modelserve.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginArchiveTest {
    @TempDir
    Path dir;

    @Test
    void findsBackendsThroughAbstractBasesAndInterfaces() throws IOException {
        Path jar = TestJars.plugin(dir, "Many", Map.of(
                "p.Base", "package p; public abstract class Base implements io.modelserve.sdk.AlgoBackend {"
                        + " public void init(io.modelserve.sdk.BackendContext c) {} }",
                "p.Concrete", "package p; public class Concrete extends Base { public Object inference(io.modelserve.sdk.Request r) { return 1; } }",
                "p.Marker", "package p; public interface Marker extends io.modelserve.sdk.AlgoBackend {}",
                "p.ViaMarker", "package p; public class ViaMarker implements Marker { public void init(io.modelserve.sdk.BackendContext c) {}"
                        + " public Object inference(io.modelserve.sdk.Request r) { return 2; } }",
                "p.Unrelated", "package p; public class Unrelated { }"));

        PluginArchive archive = PluginArchive.open(jar);

        assertThat(archive.backendClasses()).containsExactly("p.Concrete", "p.ViaMarker");
        assertThat(archive.jars()).containsExactly(jar);
        assertThat(archive.exitCalls()).isEmpty();
    }

    @Test
    void findsCallsThatEndTheJvm() throws IOException {
        Path jar = TestJars.plugin(dir, "Exits", Map.of(
                "p.Quits", "package p; public class Quits { void a() { System.exit(1); } }",
                "p.Halts", "package p; public class Halts { void a() { Runtime.getRuntime().halt(3); } }",
                "p.ByReference", "package p; public class ByReference { java.util.function.IntConsumer a() { return System::exit; } }",
                "p.Innocent", "package p; public class Innocent { void a() { System.out.println(\"exit\"); Runtime.getRuntime().gc(); } }"));

        assertThat(PluginArchive.open(jar).exitCalls()).containsExactlyInAnyOrder(
                new PluginArchive.ExitCall("p.Quits", "java.lang.System.exit"),
                new PluginArchive.ExitCall("p.Halts", "java.lang.Runtime.halt"),
                new PluginArchive.ExitCall("p.ByReference", "java.lang.System.exit"));
    }

    @Test
    void reportsBundledCopiesOfSharedLibrariesAndFolderJars() throws IOException {
        Path plugin = Files.createDirectories(dir.resolve("Folder"));
        Path own = TestJars.compile(dir.resolve("own"), Map.of(
                "p.Own", "package p; public class Own implements io.modelserve.sdk.AlgoBackend {"
                        + " public void init(io.modelserve.sdk.BackendContext c) {} public Object inference(io.modelserve.sdk.Request r) { return 1; } }"));
        Path jackson = TestJars.compile(dir.resolve("jackson"), Map.of(
                "com.fasterxml.jackson.databind.Fake", "package com.fasterxml.jackson.databind; public class Fake { }",
                "com.fasterxml.jackson.core.Fake", "package com.fasterxml.jackson.core; public class Fake { }"));
        TestJars.jar(plugin.resolve("Folder.jar"), own);
        TestJars.jar(plugin.resolve("jackson-databind-2.9.0.jar"), jackson);

        PluginArchive archive = PluginArchive.open(plugin);

        assertThat(archive.backendClasses()).containsExactly("p.Own");
        assertThat(archive.libraries()).containsExactly("Folder.jar", "jackson-databind-2.9.0.jar");
        assertThat(archive.sharedCopies()).containsExactly(new PluginArchive.SharedCopy("Jackson", plugin.resolve("jackson-databind-2.9.0.jar"), 2));
    }

    @Test
    void namesWhatIsWrongWithThePath() throws IOException {
        assertThatThrownBy(() -> PluginArchive.open(dir.resolve("nope.jar"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> PluginArchive.open(dir)).hasMessageContaining("holds no *.jar files");
        Path notJar = Files.writeString(dir.resolve("Broken.jar"), "not a zip");
        assertThatThrownBy(() -> PluginArchive.open(notJar)).hasMessageContaining("is not a readable jar");
    }
}
