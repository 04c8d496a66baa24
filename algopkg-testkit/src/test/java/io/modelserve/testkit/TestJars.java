package io.modelserve.testkit;

import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.sdk.AlgoBackend;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** Real plugin jars built at test time: sources compiled against the SDK, packed into a jar. */
final class TestJars {
    private TestJars() {}

    /** Compiles {@code sources} (class name -> source) and packs them into {@code dir/<name>.jar}. */
    static Path plugin(Path dir, String name, Map<String, String> sources) throws IOException {
        Path classes = compile(dir.resolve(name + "-build"), sources);
        return jar(dir.resolve(name + ".jar"), classes);
    }

    static Path compile(Path dir, Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> classpath = Stream.of(AlgoBackend.class, JsonNode.class, TreeNode.class, MeterRegistry.class)
                .map(type -> PluginClasspath.location(type).toString()).distinct().toList();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none", "-implicit:none",
                "-classpath", String.join(File.pathSeparator, classpath)));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            args.add(file.toString());
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (ToolProvider.getSystemJavaCompiler().run(null, errors, errors, args.toArray(String[]::new)) != 0) {
            throw new AssertionError("javac failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return classes;
    }

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
}
