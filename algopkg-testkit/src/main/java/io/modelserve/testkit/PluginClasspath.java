package io.modelserve.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of the test classpath that belongs to a plugin under test: its own classes and the
 * libraries it would ship, without the platform (which a node provides) and the test tools.
 *
 * <p>The platform's classpath is recorded when the test kit is built ({@code platform.classpath},
 * written by maven-dependency-plugin). Jars are matched by file name, so the list also fits a build
 * whose local repository lies elsewhere.
 */
final class PluginClasspath {
    /** Test libraries (and test logging) a plugin's test classpath has and a node gives it otherwise; never a plugin's own. */
    private static final List<String> TEST_TOOLS = List.of("junit-", "opentest4j-", "apiguardian-", "assertj-",
            "hamcrest", "mockito-", "logback-", "byte-buddy", "objenesis-", "surefire-", "common-java5-", "common-junit");

    private PluginClasspath() {}

    /**
     * The entries of {@code java.class.path} a plugin's classloader gets when {@code backend} is
     * loaded from the test classpath: the folder or jar of {@code backend} first, then every entry
     * that is neither the platform nor a test tool.
     */
    static List<Path> of(Class<?> backend) {
        Set<Path> entries = new LinkedHashSet<>();
        entries.add(location(backend));
        Set<String> platformJars = new HashSet<>();
        Set<Path> platformPaths = new HashSet<>();
        for (String line : platformClasspath()) {
            Path path = Path.of(line).toAbsolutePath().normalize();
            platformPaths.add(path);
            platformJars.add(path.getFileName().toString());
        }
        platformPaths.add(location(PluginClasspath.class));
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            boolean platform = platformPaths.contains(path) || (name.endsWith(".jar") && platformJars.contains(name));
            boolean testOnly = name.equals("test-classes") || TEST_TOOLS.stream().anyMatch(name::startsWith);
            if (!platform && !testOnly && Files.exists(path)) {
                entries.add(path);
            }
        }
        return new ArrayList<>(entries);
    }

    private static List<String> platformClasspath() {
        try (InputStream in = PluginClasspath.class.getResourceAsStream("platform.classpath")) {
            if (in == null) {
                throw new IllegalStateException("the test kit jar lacks io/modelserve/testkit/platform.classpath; rebuild algopkg-testkit");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? List.of() : List.of(text.split(File.pathSeparator));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the test kit's platform.classpath: " + e.getMessage(), e);
        }
    }

    static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }
}
