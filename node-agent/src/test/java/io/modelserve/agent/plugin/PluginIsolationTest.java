package io.modelserve.agent.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.AlgoBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §3: each plugin gets its own classloader, its jars first, then only the shared part of the
 * platform. Two plugins bundling different versions of one library both work, side by side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // compile and load the two plugins once
class PluginIsolationTest {
    private static final String LIB = "com.example.lib.Lib";
    private static final String BACKEND = "com.example.plugin.VersionBackend";

    /** Same class name in both plugins, too: nothing but the classloader tells them apart. */
    private static final String BACKEND_SOURCE = """
            package com.example.plugin;

            import com.example.lib.Lib;
            import io.modelserve.sdk.AlgoBackend;
            import io.modelserve.sdk.BackendContext;
            import io.modelserve.sdk.Request;
            import java.util.Map;

            public final class VersionBackend implements AlgoBackend {
                @Override
                public void init(BackendContext context) {}

                @Override
                public Object inference(Request request) {
                    String probe = request.params().path("probe").asText();
                    String visibility;
                    try {
                        Class.forName(probe);
                        visibility = "visible";
                    } catch (ClassNotFoundException e) {
                        visibility = "hidden";
                    }
                    return Map.of(
                            "lib", Lib.VERSION,
                            "jsonNode", com.fasterxml.jackson.databind.JsonNode.class,
                            "probe", visibility);
                }
            }
            """;

    @TempDir
    static Path dir;

    private final PluginLoader loader = new PluginLoader();
    private PluginLoader.LoadedBackend v1;
    private PluginLoader.LoadedBackend v2;

    @BeforeAll
    void loadBothPlugins() throws Exception {
        v1 = loader.load("AlgoOne", List.of(pluginWithLib("one", "1")), BACKEND);
        v2 = loader.load("AlgoTwo", List.of(pluginWithLib("two", "2")), BACKEND);
    }

    @AfterAll
    void closeLoaders() throws IOException {
        v1.classLoader().close();
        v2.classLoader().close();
    }

    @Test
    void eachPluginSeesItsOwnVersionOfTheSameLibrary() throws Exception {
        assertThat(result(v1, "java.lang.String").get("lib")).isEqualTo("1");
        assertThat(result(v2, "java.lang.String").get("lib")).isEqualTo("2");
        // And they really are two classes, each from its own plugin's jar.
        Class<?> lib1 = v1.classLoader().loadClass(LIB);
        Class<?> lib2 = v2.classLoader().loadClass(LIB);
        assertThat(lib1).isNotSameAs(lib2);
        assertThat(lib1.getClassLoader()).isSameAs(v1.classLoader());
        assertThat(v1.backend().getClass()).isNotSameAs(v2.backend().getClass());
        assertThat(v1.backend().getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
    }

    @Test
    void sdkAndJacksonAreThePlatformsOwnClasses() throws Exception {
        // If the plugin had its own AlgoBackend or JsonNode, the platform could not call it or read its results.
        assertThat(v1.classLoader().loadClass(AlgoBackend.class.getName())).isSameAs(AlgoBackend.class);
        assertThat(v2.classLoader().loadClass(ObjectMapper.class.getName())).isSameAs(ObjectMapper.class);
        assertThat(result(v1, "java.lang.String").get("jsonNode")).isSameAs(JsonNode.class);
        assertThat(result(v2, "java.lang.String").get("jsonNode")).isSameAs(JsonNode.class);
    }

    @Test
    void platformClassesThatAreNotSharedAreInvisibleToPlugins() throws Exception {
        // They are on the platform's classpath (the test proves it), yet a plugin cannot link to them.
        assertThat(Class.forName("io.javalin.Javalin")).isNotNull();
        assertThat(Class.forName("com.hazelcast.core.Hazelcast")).isNotNull();

        assertThat(result(v1, "io.javalin.Javalin").get("probe")).isEqualTo("hidden");
        assertThat(result(v1, "com.hazelcast.core.Hazelcast").get("probe")).isEqualTo("hidden");
        assertThat(result(v1, "io.modelserve.agent.runtime.Replica").get("probe")).isEqualTo("hidden");
        assertThatThrownBy(() -> v2.classLoader().loadClass("io.javalin.Javalin")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> v2.classLoader().loadClass("com.hazelcast.core.Hazelcast")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void jdkClassesComeFromTheJdk() throws Exception {
        assertThat(result(v1, "java.sql.Timestamp").get("probe")).isEqualTo("visible");
        assertThat(v1.classLoader().loadClass("java.util.List")).isSameAs(List.class);
    }

    @Test
    void resourcesComeFromThePluginFirstThenThePlatform() throws Exception {
        assertThat(read(v1.classLoader().getResource("labels.txt"))).isEqualTo("labels of one");
        assertThat(read(v2.classLoader().getResource("labels.txt"))).isEqualTo("labels of two");
        // Shared libraries (DJL) find their own files through the worker's context classloader.
        assertThat(read(v1.classLoader().getResource("logback-test.xml"))).contains("<configuration>");
        assertThat(java.util.Collections.list(v1.classLoader().getResources("labels.txt"))).hasSize(1);
    }

    private static String read(java.net.URL url) throws IOException {
        assertThat(url).isNotNull();
        try (var in = url.openStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Compiles {@code Lib} with {@code VERSION = version} and the backend against it, into one jar. */
    private Path pluginWithLib(String name, String version) throws IOException {
        Path work = Files.createDirectories(dir.resolve(name));
        // Not final: a compile-time constant would be inlined into the backend, proving nothing.
        Path lib = PluginJars.compile(work.resolve("lib"), List.of(), Map.of(LIB, """
                package com.example.lib;

                public final class Lib {
                    public static String VERSION = "%s";
                }
                """.formatted(version)));
        List<Path> classpath = new java.util.ArrayList<>(PluginJars.sdkClasspath());
        classpath.add(lib);
        Path backend = PluginJars.compile(work.resolve("backend"), classpath, Map.of(BACKEND, BACKEND_SOURCE));
        Files.writeString(backend.resolve("labels.txt"), "labels of " + name);
        return PluginJars.jar(dir.resolve(name + ".jar"), backend, lib);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> result(PluginLoader.LoadedBackend loaded, String probe) throws Exception {
        JsonRequest request = new JsonRequest(JsonNodeFactory.instance.objectNode().put("probe", probe), null, null);
        return (Map<String, Object>) loaded.backend().inference(request);
    }
}
