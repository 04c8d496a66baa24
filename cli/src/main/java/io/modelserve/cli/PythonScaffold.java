package io.modelserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A new Python package ({@code modelserve init --python}), written from {@code scaffold/python/}: the
 * original server's format (backend.py with {@code algo_backend}), its offline test, an empty
 * requirements.txt and the conf.ini section.
 */
record PythonScaffold(String name) {

    String route() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Writes the package into {@code dir}, which must not exist or be empty; returns the files written. */
    List<Path> writeTo(Path dir) throws IOException {
        if (Files.exists(dir) && (!Files.isDirectory(dir) || hasEntries(dir))) {
            throw new IOException(dir + " already exists and is not empty; choose another --dir or remove it");
        }
        Map<String, String> values = Map.of("Name", name, "route", route());
        List<Path> written = new ArrayList<>();
        Files.createDirectories(dir);
        written.add(Files.writeString(dir.resolve("__init__.py"), ""));
        for (String file : List.of("backend.py", "test_backend.py", "requirements.txt", "conf.ini.section")) {
            written.add(Files.writeString(dir.resolve(file), Scaffold.fill(Scaffold.template("python/" + file + ".tmpl"), values)));
        }
        return written;
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
