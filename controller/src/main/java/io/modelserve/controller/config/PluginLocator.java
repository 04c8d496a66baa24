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

    /**
     * A Python package: {@code <algopkg_dir>/<Name>/} with {@code backend.py}, its files (sorted, caches
     * and hidden entries left out) and, when it has a {@code requirements.txt}, the files of the
     * {@code wheelhouse/} beside {@code algopkg_dir}: all travel to the nodes by digest, like jars.
     */
    record PythonPackage(Path dir, List<Path> files, List<Path> wheels) implements Outcome {}

    /** Beyond this a folder is not a package but a mistake (a dataset, a virtual environment). */
    static final int MAX_PYTHON_FILES = 2_000;

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

    /** Whether {@code <Name>/} is a Python package: it holds {@code backend.py} and no jar stands for it. */
    boolean looksPython(String packageName) {
        if (!(algopkg.resolve(packageName) instanceof RootDirectory.Found dir) || !Files.isDirectory(dir.path())
                || !Files.isRegularFile(dir.path().resolve("backend.py"))) {
            return false;
        }
        return !(locate(packageName) instanceof Jars);
    }

    /** The package's files for {@code runtime = python}, or why it is not one. */
    Outcome locatePython(String packageName) {
        RootDirectory.Lookup dir = algopkg.resolve(packageName);
        Path dirPath = algopkg.path().resolve(packageName);
        if (dir instanceof RootDirectory.Rejected rejected) {
            return new Problem(rejected.reason());
        }
        if (!(dir instanceof RootDirectory.Found found) || !Files.isDirectory(found.path())) {
            return new Problem("Python package not found: looked for " + dirPath + "/ with backend.py in it");
        }
        if (!Files.isRegularFile(dirPath.resolve("backend.py"))) {
            return new Problem("Python package " + dirPath + "/ holds no backend.py (the module defining the class "
                    + "named by backend =)");
        }
        List<Path> files = new ArrayList<>();
        try (java.util.stream.Stream<Path> walk = Files.walk(dirPath)) {
            for (Path file : (Iterable<Path>) walk.sorted()::iterator) {
                if (skipped(dirPath.relativize(file)) || !Files.isRegularFile(file)) {
                    continue;
                }
                if (algopkg.check(file, "'" + algopkg.nameOf(file) + "'") instanceof RootDirectory.Rejected rejected) {
                    return new Problem(rejected.reason());
                }
                files.add(file);
                if (files.size() > MAX_PYTHON_FILES) {
                    return new Problem("Python package " + dirPath + "/ holds more than " + MAX_PYTHON_FILES
                            + " files; keep data in Model_ZOO and environments out of algopkg/");
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Problem("cannot list " + dirPath + ": " + e.getMessage());
        }
        List<Path> wheels = new ArrayList<>();
        Path wheelhouse = wheelhouse();
        if (Files.isRegularFile(dirPath.resolve("requirements.txt")) && Files.isDirectory(wheelhouse)) {
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(wheelhouse)) {
                listing.forEach(file -> {
                    if (Files.isRegularFile(file) && !file.getFileName().toString().startsWith(".")) {
                        wheels.add(file);
                    }
                });
            } catch (IOException | RuntimeException e) {
                return new Problem("cannot list " + wheelhouse + ": " + e.getMessage());
            }
            wheels.sort(Comparator.comparing(path -> path.getFileName().toString()));
        }
        return new PythonPackage(dirPath, files, wheels);
    }

    /** Where offline installs come from: {@code wheelhouse/} beside {@code algopkg_dir}. */
    Path wheelhouse() {
        Path parent = algopkg.path().toAbsolutePath().normalize().getParent();
        return (parent == null ? algopkg.path() : parent).resolve("wheelhouse");
    }

    /** Bytecode caches, environments and hidden entries are the machine's, not the package's. */
    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.equals("__pycache__") || name.equals("venv") || name.endsWith(".pyc")) {
                return true;
            }
        }
        return false;
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
            List<String> backends = BackendClasses.in(jars);
            problems.add("class " + className + " not found (no entry " + entry + ") in " + jars.stream()
                    .map(Path::toString).toList() + (backends.isEmpty() ? "; none of its classes implements AlgoBackend"
                    : "; its backend classes: " + String.join(", ", backends)));
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
            return new Problem("plugin directory " + dir + "/ holds no *.jar files (a Java plugin) and no backend.py "
                    + "(a Python package, see runtime = python)");
        }
        jars.sort(Comparator.comparing(path -> path.getFileName().toString()));
        return new Jars(jars);
    }
}
