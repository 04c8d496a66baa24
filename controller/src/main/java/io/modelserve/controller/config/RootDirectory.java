package io.modelserve.controller.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A directory that files are named relative to ({@code algopkg/}, {@code Model_ZOO/}). Everything
 * conf.ini names must stay inside it, also after following symlinks: the head ships these files to
 * other nodes, and a config must not be able to publish, say, ~/.ssh through a model name.
 */
final class RootDirectory {

    /** What a name inside the root turned out to be. */
    sealed interface Lookup {}

    /** @param path absolute and normalized, symlinks not resolved (so names stay as the operator wrote them) */
    record Found(Path path) implements Lookup {}

    record Missing(Path path) implements Lookup {}

    record Rejected(String reason) implements Lookup {}

    private final Path path;
    private final Path realPath;
    private final String label;

    private RootDirectory(Path path, Path realPath, String label) {
        this.path = path;
        this.realPath = realPath;
        this.label = label;
    }

    /** Empty when {@code dir} is not an existing directory. */
    static Optional<RootDirectory> open(Path dir, String label) {
        Path absolute = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RootDirectory(absolute, absolute.toRealPath(), label));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    Path path() {
        return path;
    }

    /** How messages call this root, e.g. "Model_ZOO". */
    String label() {
        return label;
    }

    /** Resolves an operator-given relative name; refuses absolute names, '..' and symlinks leading out. */
    Lookup resolve(String name) {
        Path relative;
        try {
            relative = path.getFileSystem().getPath(name);
        } catch (InvalidPathException e) {
            return new Rejected(ConfigErrors.quote(name) + " is not a valid file name");
        }
        if (relative.isAbsolute() || relative.getRoot() != null) {
            return new Rejected(ConfigErrors.quote(name) + " is an absolute path; name a file inside " + label);
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                return new Rejected(ConfigErrors.quote(name) + " leaves " + label + " ('..' is not allowed)");
            }
        }
        return check(path.resolve(relative).normalize(), ConfigErrors.quote(name));
    }

    /** Checks a path found by listing a directory inside this root. */
    Lookup check(Path candidate, String shownAs) {
        if (!Files.exists(candidate)) {
            return new Missing(candidate);
        }
        try {
            if (!candidate.toRealPath().startsWith(realPath)) {
                return new Rejected(shownAs + " leaves " + label + " through a symbolic link");
            }
        } catch (IOException | SecurityException e) {
            return new Rejected(shownAs + " cannot be resolved: " + e.getMessage());
        }
        return new Found(candidate);
    }

    /** The root-relative, '/'-separated name an {@link io.modelserve.cluster.Artifact} carries. */
    String nameOf(Path file) {
        StringBuilder name = new StringBuilder();
        for (Path part : path.relativize(file)) {
            if (!name.isEmpty()) {
                name.append('/');
            }
            name.append(part);
        }
        return name.toString();
    }
}
