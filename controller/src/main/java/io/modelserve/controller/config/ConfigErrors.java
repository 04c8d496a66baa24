package io.modelserve.controller.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of one parse, so the operator sees them all in one go. */
final class ConfigErrors {
    private static final int MAX_QUOTED = 80;

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    ConfigErrors(String file) {
        this.file = file;
    }

    void add(int line, String section, String key, String message) {
        errors.add(new ConfigError(file, Math.max(1, line), section, key, message));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    int count() {
        return errors.size();
    }

    /** Stable, so problems found on one line keep the order in which they were checked. */
    List<ConfigError> sortedByLine() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    /** Quotes a value for a message, cut short so a pasted blob does not flood the terminal. */
    static String quote(String value) {
        String shown = value.length() <= MAX_QUOTED ? value : value.substring(0, MAX_QUOTED) + "...";
        return "'" + shown + "'";
    }
}
