package io.modelserve.controller.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top-level names a package's {@code backend.py} binds, read from its text (the head runs no
 * Python): {@code class X}, {@code X = ...} and {@code import ... X} / {@code as X}. Enough to catch a
 * misspelt {@code backend =} at apply time and to list what the file does define.
 */
final class PythonClasses {
    private static final Pattern CLASS = Pattern.compile("^class\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern ASSIGNED = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*(:[^=]*)?=[^=]");
    private static final Pattern IMPORTED = Pattern.compile("^(from\\s+\\S+\\s+)?import\\s+(.+)$");

    private final Path file;

    PythonClasses(Path file) {
        this.file = file;
    }

    /** Why {@code className} is not a backend class of the file, naming the classes it has; empty if it is bound. */
    Optional<String> problem(String className) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot read " + file + ": " + e.getMessage());
        }
        List<String> classes = new ArrayList<>();
        for (String line : lines) {
            Matcher cls = CLASS.matcher(line);
            if (cls.find()) {
                classes.add(cls.group(1));
                if (cls.group(1).equals(className)) {
                    return Optional.empty();
                }
                continue;
            }
            Matcher assigned = ASSIGNED.matcher(line);
            if (assigned.find() && assigned.group(1).equals(className)) {
                return Optional.empty();
            }
            Matcher imported = IMPORTED.matcher(line);
            if (imported.find() && Pattern.compile("\\b" + Pattern.quote(className) + "\\b").matcher(imported.group(2)).find()) {
                return Optional.empty();
            }
        }
        return Optional.of("class " + className + " not found in " + file + "; its classes: "
                + (classes.isEmpty() ? "none" : String.join(", ", classes)));
    }
}
