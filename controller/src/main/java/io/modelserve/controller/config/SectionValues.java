package io.modelserve.controller.config;

import io.modelserve.cluster.Resources;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Typed reads of one section's values. A value that does not parse is reported (key, bad value,
 * expected form) and the default is returned, so validation goes on and finds every other problem too;
 * the file is rejected anyway once any error was reported.
 */
final class SectionValues {
    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,15}(\\.\\d+)?|\\.\\d+");

    private final IniDocument.Section section;
    private final ConfigErrors errors;

    SectionValues(IniDocument.Section section, ConfigErrors errors) {
        this.section = section;
        this.errors = errors;
    }

    IniDocument.Section section() {
        return section;
    }

    Optional<String> value(String key) {
        return section.entry(key).map(IniDocument.Entry::value);
    }

    String string(String key, String fallback) {
        return value(key).orElse(fallback);
    }

    /** The key's line, or the section's when the key is absent and its default applies. */
    int lineOf(String key) {
        return section.entry(key).map(IniDocument.Entry::line).orElse(section.line());
    }

    void error(String key, String message) {
        errors.add(lineOf(key), section.name(), key, message);
    }

    /** Reports a missing key at the section line; empty then. */
    Optional<String> required(String key) {
        Optional<String> value = value(key).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            error(key, section.entry(key).isPresent() ? "must not be empty" : "required key is missing");
        }
        return value;
    }

    long wholeNumber(String key, long fallback, long min, long max) {
        Optional<String> text = value(key);
        if (text.isEmpty()) {
            return fallback;
        }
        if (WHOLE.matcher(text.get()).matches()) {
            long number = Long.parseLong(text.get());
            if (number >= min && number <= max) {
                return number;
            }
        }
        String range = max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max;
        error(key, "must be a whole number " + range + ", got " + ConfigErrors.quote(text.get()));
        return fallback;
    }

    int wholeNumber(String key, int fallback, int min, int max) {
        return (int) wholeNumber(key, (long) fallback, min, max);
    }

    /** A decimal such as 0.5 in exact milli-units; {@code maxMilli} < 0 means no upper bound. */
    long milli(String key, long fallbackMilli, long maxMilli) {
        Optional<String> text = value(key);
        if (text.isEmpty()) {
            return fallbackMilli;
        }
        if (DECIMAL.matcher(text.get()).matches()) {
            try {
                long milli = Resources.parseMilli(text.get());
                if (maxMilli < 0 || milli <= maxMilli) {
                    return milli;
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below, with the expected form
            }
        }
        String range = maxMilli < 0 ? ">= 0" : "in 0.." + Resources.formatMilli(maxMilli);
        error(key, "must be a decimal " + range + " with at most 3 decimals (e.g. 0.5), got "
                + ConfigErrors.quote(text.get()));
        return fallbackMilli;
    }

    /** true/false (also yes/no, on/off, 1/0), any case. */
    boolean bool(String key, boolean fallback) {
        Optional<String> text = value(key);
        if (text.isEmpty()) {
            return fallback;
        }
        switch (text.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> {
                return true;
            }
            case "false", "no", "off", "0" -> {
                return false;
            }
            default -> {
                error(key, "must be true or false, got " + ConfigErrors.quote(text.get()));
                return fallback;
            }
        }
    }
}
