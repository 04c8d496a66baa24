package io.modelserve.agent.plugin;

import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.sdk.AlgoBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars at test time: compiles Java sources with the JDK's compiler against the
 * SDK (as a plugin author would, the SDK "provided") and packs the classes into a jar.
 */
final class PluginJars {
    private PluginJars() {}

    /** The platform's jars a plugin compiles against: the SDK and the types its signatures name. */
    static List<Path> sdkClasspath() {
        return Stream.of(AlgoBackend.class, JsonNode.class, TreeNode.class, MeterRegistry.class)
                .map(PluginJars::location).distinct().toList();
    }

    /**
     * Compiles {@code sources} (fully qualified class name -> source) into {@code dir/classes} and
     * returns that folder.
     */
    static Path compile(Path dir, List<Path> classpath, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none", "-implicit:none"));
        if (!classpath.isEmpty()) {
            args.add("-classpath");
            args.add(String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        }
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("tests need a JDK (javax.tools), not a JRE");
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, args.toArray(String[]::new));
        if (rc != 0) {
            throw new AssertionError("javac failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return classes;
    }

    /** Packs the contents of {@code folders} into one jar. */
    static Path jar(Path jar, Path... folders) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (Path folder : folders) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(folder)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path path : files) {
                    out.putNextEntry(new JarEntry(folder.relativize(path).toString().replace('\\', '/')));
                    Files.copy(path, out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
