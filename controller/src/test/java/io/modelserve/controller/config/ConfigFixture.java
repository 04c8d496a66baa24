package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** A real operator directory in a temp dir: conf.ini next to algopkg/ and Model_ZOO/ with real jars. */
final class ConfigFixture {
    final Path root;
    final Path algopkg;
    final Path modelZoo;
    final Path conf;

    ConfigFixture(Path root) throws IOException {
        this.root = root;
        this.algopkg = Files.createDirectories(root.resolve("algopkg"));
        this.modelZoo = Files.createDirectories(root.resolve("Model_ZOO"));
        this.conf = root.resolve("conf.ini");
    }

    /** A jar holding one entry per class, plus {@code extra} bytes so content changes are easy to make. */
    static void writeJar(Path jar, String extra, String... classNames) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String className : classNames) {
                out.putNextEntry(new JarEntry(className.replace('.', '/') + ".class"));
                out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("extra.txt"));
            out.write(extra.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    Path jar(String packageName, String... classNames) throws IOException {
        Path jar = algopkg.resolve(packageName + ".jar");
        writeJar(jar, "v1", classNames);
        return jar;
    }

    Path model(String name, String content) throws IOException {
        Path file = modelZoo.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    ConfigResult parse(String text) throws IOException {
        return parse(text, Map.of());
    }

    ConfigResult parse(String text, Map<String, String> env) throws IOException {
        Files.writeString(conf, text);
        return new ConfigParser(Set.of("echo", "onnx"), env::get).parse(conf);
    }

    ConfigResult.Valid valid(String text) throws IOException {
        ConfigResult result = parse(text);
        assertThat(result).as("expected valid, got %s", result).isInstanceOf(ConfigResult.Valid.class);
        return (ConfigResult.Valid) result;
    }

    List<ConfigError> errors(String text) throws IOException {
        return errors(text, Map.of());
    }

    List<ConfigError> errors(String text, Map<String, String> env) throws IOException {
        ConfigResult result = parse(text, env);
        assertThat(result).as("expected errors, got %s", result).isInstanceOf(ConfigResult.Invalid.class);
        return ((ConfigResult.Invalid) result).errors();
    }

    /** The one error expected; fails listing all of them otherwise. */
    ConfigError error(String text) throws IOException {
        List<ConfigError> errors = errors(text);
        assertThat(errors).as(errors.toString()).hasSize(1);
        return errors.get(0);
    }

    static final String SERVE = "[MODEL SERVE]\n";

    /** A valid deployment section for package Foo with backend org.example.Foo; jar written by the caller. */
    static String foo(String... extraLines) {
        String extras = extraLines.length == 0 ? "" : String.join("\n", extraLines) + "\n";
        return "[algopkg.Foo]\nbackend = org.example.Foo\nroute = foo\n" + extras;
    }
}
