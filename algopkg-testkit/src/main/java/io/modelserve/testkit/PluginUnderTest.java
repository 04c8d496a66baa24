package io.modelserve.testkit;

import io.modelserve.agent.plugin.PluginLoadException;
import io.modelserve.sdk.AlgoBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which plugin to test and how to start it: from its jar (or folder of jars) or from a class on the
 * test classpath, with model files and {@code config.*} values. Immutable; every {@code with...}
 * returns a new one.
 *
 * <pre>{@code
 * try (TestReplica replica = PluginUnderTest.of(Greeter.class)
 *         .withModel(Path.of("src/main/model/words.txt"))
 *         .withConfig("greeting", "hi")
 *         .start()) {
 *     RouteAnswer answer = replica.route("{\"name\":\"Ada\"}");
 *     assertEquals(200, answer.httpStatus());
 * }
 * }</pre>
 *
 * <p>Either way the plugin gets its own {@code PluginClassLoader}, the one a node uses: its classes
 * and libraries first, the platform's shared packages (SDK, Jackson, SLF4J, Micrometer, DJL, ONNX
 * Runtime) from the platform, nothing else of the platform. A plugin that passes here links the
 * same way on a node.
 *
 * @param name      the deployment's name, as in {@code [algopkg.<name>]}
 * @param jars      the jars and class folders of the plugin's classloader, in search order
 * @param className the backend class
 * @param models    the model files, as {@code model =} lists them
 * @param config    the {@code config.*} values, prefix removed
 */
public record PluginUnderTest(String name, List<Path> jars, String className, List<Path> models, Map<String, String> config) {

    public PluginUnderTest {
        jars = List.copyOf(jars);
        models = List.copyOf(models);
        config = Map.copyOf(config);
    }

    /**
     * The plugin that {@code backend} belongs to, taken from the test classpath: its classes folder
     * (or jar) and the libraries it depends on, not the test's own classes and tools. The instance is
     * created from a fresh copy of the class in the plugin's own classloader, so it is not a
     * {@code backend} of the test's classloader: talk to it through {@link TestReplica}.
     *
     * @param backend the class implementing {@link AlgoBackend}
     * @return a plugin named after the class, without models or config
     */
    public static PluginUnderTest of(Class<? extends AlgoBackend> backend) {
        return new PluginUnderTest(backend.getSimpleName(), PluginClasspath.of(backend), backend.getName(), List.of(), Map.of());
    }

    /**
     * A built plugin: a jar, or a folder of jars as in {@code algopkg/<Name>/}, with the one class
     * in it that implements {@link AlgoBackend}.
     *
     * @param jarOrFolder the plugin's jar or folder; its name without {@code .jar} is the deployment name
     * @return the plugin
     * @throws IOException when it cannot be read, or it holds no or several backend classes
     */
    public static PluginUnderTest fromJar(Path jarOrFolder) throws IOException {
        PluginArchive archive = PluginArchive.open(jarOrFolder);
        List<String> backends = archive.backendClasses();
        if (backends.size() != 1) {
            throw new IOException(backends.isEmpty()
                    ? "no public concrete class in " + jarOrFolder + " implements " + AlgoBackend.class.getName()
                    : "several classes in " + jarOrFolder + " implement " + AlgoBackend.class.getName() + ": " + backends
                            + "; name one with fromJar(path, className)");
        }
        return fromJar(jarOrFolder, backends.getFirst());
    }

    /**
     * A built plugin with the backend class named, as {@code backend =} names it in conf.ini.
     *
     * @param jarOrFolder the plugin's jar or folder
     * @param className   the backend class
     * @return the plugin
     * @throws IOException when the jar or folder cannot be read
     */
    public static PluginUnderTest fromJar(Path jarOrFolder, String className) throws IOException {
        String file = jarOrFolder.toAbsolutePath().normalize().getFileName().toString();
        String name = file.endsWith(".jar") ? file.substring(0, file.length() - 4) : file;
        return new PluginUnderTest(name, PluginArchive.open(jarOrFolder).jars(), className, List.of(), Map.of());
    }

    /**
     * @param deployment the deployment name the plugin sees in {@code BackendContext.deployment()}
     * @return a copy with that name
     */
    public PluginUnderTest withName(String deployment) {
        return new PluginUnderTest(deployment, jars, className, models, config);
    }

    /**
     * @param files model files, added after those already given
     * @return a copy with these models
     */
    public PluginUnderTest withModel(Path... files) {
        List<Path> all = new ArrayList<>(models);
        for (Path file : files) {
            all.add(file.toAbsolutePath().normalize());
        }
        return new PluginUnderTest(name, jars, className, all, config);
    }

    /**
     * @param key   a {@code config.*} key without the prefix
     * @param value its value
     * @return a copy with this value set
     */
    public PluginUnderTest withConfig(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(config);
        all.put(key, value);
        return new PluginUnderTest(name, jars, className, models, all);
    }

    /**
     * @param values {@code config.*} keys without the prefix, and their values
     * @return a copy with these values set
     */
    public PluginUnderTest withConfig(Map<String, String> values) {
        Map<String, String> all = new LinkedHashMap<>(config);
        all.putAll(values);
        return new PluginUnderTest(name, jars, className, models, all);
    }

    /**
     * Creates the backend in its own classloader, not yet initialised: call {@link TestReplica#init()}.
     *
     * @return the replica
     * @throws PluginLoadException when the class cannot be found or instantiated, with the runtime's message
     */
    public TestReplica load() throws PluginLoadException {
        return TestReplica.load(this);
    }

    /**
     * Creates the backend and calls {@code init}, as a node starts a replica.
     *
     * @return the replica, ready for requests
     * @throws Exception what loading or {@code init} threw (the replica is closed then)
     */
    public TestReplica start() throws Exception {
        TestReplica replica = load();
        try {
            replica.init();
            return replica;
        } catch (Exception | Error e) {
            try {
                replica.close();
            } catch (Exception | Error alsoClose) {
                e.addSuppressed(alsoClose); // the init failure is what the test needs to see
            }
            throw e;
        }
    }
}
