package io.modelserve.controller.config;

import java.util.Objects;

/**
 * One problem found in conf.ini, located well enough for an operator to fix it without reading code.
 *
 * @param file    the file name as the operator knows it (not the absolute path)
 * @param line    1-based line number
 * @param section section name without brackets, or null when the problem is not inside one
 * @param key     the key, or null when the problem is about the section or the file
 * @param message what is wrong and what is expected; never contains the admin token
 */
public record ConfigError(String file, int line, String section, String key, String message) {

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    /** {@code conf.ini:12: [algopkg.Foo] replicas: must be a whole number >= 0, got '-2'}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file).append(':').append(line).append(": ");
        if (section != null) {
            text.append('[').append(section).append("] ");
        }
        if (key != null) {
            text.append(key).append(": ");
        }
        return text.append(message).toString();
    }
}
