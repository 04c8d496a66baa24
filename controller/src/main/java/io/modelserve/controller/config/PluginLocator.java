package io.modelserve.controller.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipFile;

/**
 * Finds a package's plugin jars — {@code <algopkg_dir>/<Name>.jar} or every {@code *.jar} directly in
 * {@code <algopkg_dir>/<Name>/} — and checks that the backend class is in one of them, so a typo in
 * conf.ini fails at apply time on the head rather than on every node at replica start.
 */
final class PluginLocator {

    /** Either the jars, sorted by name, or why there are none. */
    sealed interface Outcome {}

    record Jars(List<Path> jars) implements Outcome {}

    record Problem(String message) implements Outcome {}

    private final RootDirectory algopkg;

    PluginLocator(RootDirectory algopkg) {
        this.algopkg = algopkg;
    }

    Outcome locate(String packageName) {
        RootDirectory.Lookup jar = algopkg.resolve(packageName + ".jar");
        RootDirectory.Lookup dir = algopkg.resolve(packageName);
        if (jar instanceof RootDirectory.Rejected rejected) {
            return new Problem(rejected.reason());
        }
        if (dir instanceof RootDirectory.Rejected rejected) {
            return new Problem(rejected.reason());
        }
        boolean isJar = jar instanceof RootDirectory.Found found && Files.isRegularFile(found.path());
        boolean isDir = dir instanceof RootDirectory.Found found && Files.isDirectory(found.path());
        Path jarPath = algopkg.path().resolve(packageName + ".jar");
        Path dirPath = algopkg.path().resolve(packageName);
        if (isJar && isDir) {
            return new Problem("both " + jarPath + " and " + dirPath + "/ exist; keep one of them");
        }
        if (isJar) {
            return new Jars(List.of(jarPath));
        }
        if (isDir) {
            return jarsIn(dirPath);
        }
        return new Problem("plugin not found: looked for " + jarPath + " and " + dirPath + "/");
    }

    /** The problems: a jar that cannot be read (even if another has the class), or the class missing. */
    List<String> checkClass(String className, List<Path> jars) {
        String entry = className.replace('.', '/') + ".class";
        List<String> problems = new ArrayList<>();
        boolean found = false;
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                found |= zip.getEntry(entry) != null;
            } catch (IOException | RuntimeException e) {
                problems.add("cannot open jar " + jar + ": " + e.getMessage());
            }
        }
        if (!found) {
            problems.add("class " + className + " not found (no entry " + entry + ") in " + jars.stream()
                    .map(Path::toString).toList());
        }
        return problems;
    }

    private Outcome jarsIn(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path candidate : listing) {
                RootDirectory.Lookup lookup = algopkg.check(candidate, "'" + algopkg.nameOf(candidate) + "'");
                if (lookup instanceof RootDirectory.Rejected rejected) {
                    return new Problem(rejected.reason());
                }
                if (Files.isRegularFile(candidate)) {
                    jars.add(candidate);
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Problem("cannot list " + dir + ": " + e.getMessage());
        }
        if (jars.isEmpty()) {
            return new Problem("plugin directory " + dir + "/ holds no *.jar files");
        }
        jars.sort(Comparator.comparing(path -> path.getFileName().toString()));
        return new Jars(jars);
    }
}
