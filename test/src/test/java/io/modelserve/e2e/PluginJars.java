package io.modelserve.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/** Builds variants of a plugin jar for tests. */
final class PluginJars {
    private PluginJars() {}

    /**
     * Rewrites {@code jar} in place with the same entries plus a build stamp, as a rebuilt plugin
     * would look: same classes, new bytes, new digest. Written over the same file on purpose.
     */
    static void rebuild(Path jar, String stamp) throws IOException {
        Path temp = Files.createTempFile(jar.getParent(), "rebuild", ".jar");
        try (JarFile in = new JarFile(jar.toFile()); JarOutputStream out = new JarOutputStream(Files.newOutputStream(temp))) {
            Enumeration<JarEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().equals("BUILD-STAMP")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("BUILD-STAMP"));
            out.write(stamp.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (OutputStream target = Files.newOutputStream(jar)) {
            Files.copy(temp, target);
        } finally {
            Files.delete(temp);
        }
    }
}
