package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelt backend class is answered with the classes of the plugin that do implement a backend. */
class BackendClassesTest {
    @TempDir
    Path dir;

    /** The header of a class file: its name, Object as superclass, the interfaces, nothing else. */
    private static byte[] classFile(String name, int access, String... interfaces) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0);
        out.writeShort(65);
        out.writeShort(1 + 2 * (2 + interfaces.length));
        String[] names = new String[2 + interfaces.length];
        names[0] = name;
        names[1] = "java/lang/Object";
        System.arraycopy(interfaces, 0, names, 2, interfaces.length);
        for (int i = 0; i < names.length; i++) {
            out.writeByte(7);
            out.writeShort(2 * i + 2);
            out.writeByte(1);
            out.writeUTF(names[i]);
        }
        out.writeShort(access);
        out.writeShort(1);
        out.writeShort(3);
        out.writeShort(interfaces.length);
        for (int i = 0; i < interfaces.length; i++) {
            out.writeShort(2 * (i + 2) + 1);
        }
        out.writeShort(0);
        out.writeShort(0);
        out.writeShort(0);
        return bytes.toByteArray();
    }

    private Path jar() throws IOException {
        Path jar = dir.resolve("algopkg/Greeter.jar");
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (var entry : List.of(
                    new Object[] {"com/example/Greeter", classFile("com/example/Greeter", 0x21, "io/modelserve/sdk/AlgoBackend")},
                    new Object[] {"com/example/Tokens", classFile("com/example/Tokens", 0x21, "java/io/Closeable",
                            "io/modelserve/sdk/StreamingBackend")},
                    new Object[] {"com/example/Base", classFile("com/example/Base", 0x421, "io/modelserve/sdk/AlgoBackend")},
                    new Object[] {"com/example/Words", classFile("com/example/Words", 0x21, "java/io/Closeable")})) {
                out.putNextEntry(new JarEntry(entry[0] + ".class"));
                out.write((byte[]) entry[1]);
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void listsTheConcreteClassesThatImplementABackendInterface() throws IOException {
        assertThat(BackendClasses.in(List.of(jar()))).containsExactly("com.example.Greeter", "com.example.Tokens");
    }

    @Test
    void aClassNotFoundNamesThem() throws IOException {
        ConfigFixture fx = new ConfigFixture(dir);
        jar();
        List<ConfigError> errors = fx.errors("[MODEL SERVE]\nalgopkg_dir = algopkg\nmodel_zoo = Model_ZOO\n\n"
                + "[algopkg.Greeter]\nbackend = com.example.Greeting\nroute = greet\n");
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.message())
                .contains("class com.example.Greeting not found").endsWith("its backend classes: com.example.Greeter, com.example.Tokens"));
    }
}
