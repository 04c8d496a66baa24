package io.modelserve.agent.builtin;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the values of built-in backends' keys. Each parser throws {@link IllegalArgumentException}
 * with the expected form; {@link #check} turns one into the problem conf.ini validation reports.
 */
final class BuiltinOptionChecks {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})\\s*[xX]\\s*(\\d{1,5})");
    private static final Pattern TOP_N = Pattern.compile("topN\\((\\d{1,6})\\)");
    private static final int MAX_SIDE = 8192;

    private BuiltinOptionChecks() {}

    /** A check for conf.ini: empty when {@code parser} accepts the value, else its message. */
    static Function<String, Optional<String>> check(Function<String, ?> parser) {
        return value -> {
            try {
                parser.apply(value);
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
        };
    }

    /** "48x192" -> {48, 192} (height x width). */
    static int[] size(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be <height>x<width>, e.g. 224x224, got '" + text + "'");
        }
        int height = Integer.parseInt(m.group(1));
        int width = Integer.parseInt(m.group(2));
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException("height and width must be 1.." + MAX_SIDE + ", got '" + text + "'");
        }
        return new int[] {height, width};
    }

    /** "0.485, 0.456, 0.406" -> three floats, one per channel. */
    static float[] triple(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("must be three comma-separated numbers (one per channel), got '" + text + "'");
        }
        float[] values = new float[3];
        for (int i = 0; i < 3; i++) {
            try {
                values[i] = Float.parseFloat(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i].strip() + "' is not a number in '" + text + "'");
            }
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("must be finite numbers, got '" + text + "'");
            }
        }
        return values;
    }

    /** Like {@link #triple}, but every value must be above 0 (it divides). */
    static float[] positiveTriple(String text) {
        float[] values = triple(text);
        for (float value : values) {
            if (value <= 0) {
                throw new IllegalArgumentException("must be three numbers above 0, got '" + text + "'");
            }
        }
        return values;
    }

    /** "topN(5)" -> 5. */
    static int topN(String text) {
        Matcher m = TOP_N.matcher(text.strip());
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw new IllegalArgumentException("must be topN(k) with k >= 1, e.g. topN(5), got '" + text + "'");
        }
        return Integer.parseInt(m.group(1));
    }

    static int threads(String text) {
        try {
            int threads = Integer.parseInt(text.strip());
            if (threads >= 1 && threads <= 1024) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("must be a whole number of threads 1..1024, got '" + text + "'");
    }

    /** One of {@code choices}, any case. */
    static Function<String, String> oneOf(String... choices) {
        return text -> {
            for (String choice : choices) {
                if (choice.equalsIgnoreCase(text.strip())) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", choices) + ", got '" + text + "'");
        };
    }

    /** A file name in Model_ZOO (the validator resolves it); here only its form. */
    static String fileName(String text) {
        String name = text.strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("must name a file in Model_ZOO");
        }
        return name;
    }
}
