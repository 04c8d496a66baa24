package io.modelserve.agent.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin that cannot be loaded says what is wrong and what to change in conf.ini or the jar. */
class PluginLoaderErrorsTest {
    private static final String IMPORTS = """
            import io.modelserve.sdk.AlgoBackend;
            import io.modelserve.sdk.BackendContext;
            import io.modelserve.sdk.Request;
            """;

    @TempDir
    static Path dir;

    private static Path jar;
    private final PluginLoader loader = new PluginLoader();

    @BeforeAll
    static void buildJar() throws Exception {
        Path helper = PluginJars.compile(dir.resolve("helper"), List.of(), Map.of(
                "com.example.gone.Helper", "package com.example.gone; public class Helper {}"));
        List<Path> classpath = new java.util.ArrayList<>(PluginJars.sdkClasspath());
        classpath.add(helper);
        Path classes = PluginJars.compile(dir.resolve("plugin"), classpath, Map.of(
                "com.example.bad.NotABackend", """
                        package com.example.bad;
                        public class NotABackend {
                            public Object inference(Object request) { return null; }
                        }
                        """,
                "com.example.bad.NeedsArgs", backend("NeedsArgs", "public NeedsArgs(String modelName) {}"),
                "com.example.bad.PrivateConstructor", backend("PrivateConstructor", "private PrivateConstructor() {}"),
                "com.example.bad.AbstractBackend", """
                        package com.example.bad;
                        %s
                        public abstract class AbstractBackend implements AlgoBackend {}
                        """.formatted(IMPORTS),
                "com.example.bad.ThrowingConstructor", backend("ThrowingConstructor",
                        "public ThrowingConstructor() { throw new IllegalStateException(\"no GPU visible\"); }"),
                "com.example.bad.ThrowingStaticInit", backend("ThrowingStaticInit",
                        "static { if (true) throw new IllegalStateException(\"libfoo.so not found\"); }"),
                "com.example.bad.MissingDependency", """
                        package com.example.bad;
                        %s
                        public class MissingDependency extends com.example.gone.Helper implements AlgoBackend {
                            public void init(BackendContext context) {}
                            public Object inference(Request request) { return null; }
                        }
                        """.formatted(IMPORTS)));
        // The helper class is left out of the jar, as when a plugin is built without its dependencies.
        jar = PluginJars.jar(dir.resolve("bad.jar"), classes);
    }

    @Test
    void missingClassNamesTheKeyToFix() {
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.Typo"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("class com.example.bad.Typo not found in the plugin's jars; check `backend =` in conf.ini");
    }

    @Test
    void classThatIsNotABackendSaysWhichInterfaceItNeeds() {
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.NotABackend"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("com.example.bad.NotABackend does not implement io.modelserve.sdk.AlgoBackend");
    }

    @Test
    void noPublicNoArgConstructorSaysSo() {
        for (String name : List.of("com.example.bad.NeedsArgs", "com.example.bad.PrivateConstructor")) {
            assertThatThrownBy(() -> loader.load("Bad", List.of(jar), name))
                    .isInstanceOf(PluginLoadException.class)
                    .hasMessage(name + " needs a public no-argument constructor");
        }
    }

    @Test
    void abstractClassAsksForAConcreteOne() {
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.AbstractBackend"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessage("com.example.bad.AbstractBackend is abstract or an interface; name a concrete class");
    }

    @Test
    void constructorFailureCarriesThePluginsMessage() {
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.ThrowingConstructor"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("ThrowingConstructor constructor threw")
                .hasMessageContaining("no GPU visible");
    }

    @Test
    void staticInitialiserFailureCarriesThePluginsMessage() {
        // Typical of a plugin loading a native library in a static block: the reason must not be lost.
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.ThrowingStaticInit"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("com.example.bad.ThrowingStaticInit")
                .hasMessageContaining("libfoo.so not found");
    }

    @Test
    void missingDependencyNamesTheMissingClass() {
        assertThatThrownBy(() -> loader.load("Bad", List.of(jar), "com.example.bad.MissingDependency"))
                .isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("com/example/gone/Helper");
    }

    @Test
    void aGoodClassFromTheSameJarStillLoads() throws Exception {
        // The failures above left nothing behind that breaks the next load.
        Path good = PluginJars.jar(dir.resolve("good.jar"), PluginJars.compile(dir.resolve("good"), PluginJars.sdkClasspath(),
                Map.of("com.example.good.Echo", backend("Echo", "").replace("package com.example.bad;", "package com.example.good;"))));

        PluginLoader.LoadedBackend loaded = loader.load("Good", List.of(good), "com.example.good.Echo");

        assertThat(loaded.backend().getClass().getName()).isEqualTo("com.example.good.Echo");
        assertThat(loaded.classLoader().getName()).isEqualTo("algopkg-Good");
        loaded.classLoader().close();
    }

    private static String backend(String simpleName, String extra) {
        return """
                package com.example.bad;
                %s
                public class %s implements AlgoBackend {
                    %s
                    public void init(BackendContext context) {}
                    public Object inference(Request request) { return "ok"; }
                }
                """.formatted(IMPORTS, simpleName, extra);
    }
}
