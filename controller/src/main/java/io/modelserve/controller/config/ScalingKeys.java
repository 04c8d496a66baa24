package io.modelserve.controller.config;

import io.modelserve.cluster.Autoscaling;
import io.modelserve.cluster.Isolation;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys that say how many replicas run and where: {@code replicas} (a count, or a {@code min..max}
 * range that turns autoscaling on, with {@code target_ongoing}, {@code upscale_delay_s},
 * {@code downscale_delay_s}), and {@code isolation} / {@code memory_limit}.
 */
final class ScalingKeys {
    static final java.util.List<String> KEYS = java.util.List.of("target_ongoing", "upscale_delay_s", "downscale_delay_s",
            "isolation", "memory_limit");
    private static final Pattern RANGE = Pattern.compile("(\\d{1,6})\\s*\\.\\.\\s*(\\d{1,6})");
    private static final Pattern MEMORY = Pattern.compile("(\\d{1,7})\\s*([mMgG])[bB]?");

    private ScalingKeys() {}

    /** The fixed count for {@code replicas = N}; for a range, its minimum (what runs before any load). */
    static int replicas(SectionValues values) {
        Optional<String> text = values.value("replicas");
        if (text.isPresent()) {
            Matcher range = RANGE.matcher(text.get());
            if (range.matches()) {
                return Integer.parseInt(range.group(1));
            }
        }
        return values.wholeNumber("replicas", 1, 0, Integer.MAX_VALUE);
    }

    /** Autoscaling for {@code replicas = min..max}; empty for a fixed count (the autoscale keys are then refused). */
    static Optional<Autoscaling> autoscaling(SectionValues values) {
        Optional<String> text = values.value("replicas");
        Matcher range = text.map(RANGE::matcher).filter(Matcher::matches).orElse(null);
        if (range == null) {
            for (String key : java.util.List.of("target_ongoing", "upscale_delay_s", "downscale_delay_s")) {
                if (values.value(key).isPresent()) {
                    values.error(key, "only with autoscaling: write replicas as a range, e.g. replicas = 1..8");
                }
            }
            return Optional.empty();
        }
        int min = Integer.parseInt(range.group(1));
        int max = Integer.parseInt(range.group(2));
        if (max < 1 || min > max) {
            values.error("replicas", "a range must be min..max with min <= max and max >= 1, got " + ConfigErrors.quote(text.get()));
            return Optional.empty();
        }
        long targetMilli = values.milli("target_ongoing", 2_000, 1_000_000);
        if (targetMilli == 0) {
            values.error("target_ongoing", "must be greater than 0");
            targetMilli = 2_000;
        }
        int up = values.wholeNumber("upscale_delay_s", 5, 0, 3_600);
        int down = values.wholeNumber("downscale_delay_s", 30, 0, 86_400);
        return Optional.of(new Autoscaling(min, max, targetMilli / 1000.0, up, down));
    }

    static Isolation isolation(SectionValues values) {
        String mode = values.value("isolation").map(v -> v.toLowerCase(Locale.ROOT)).orElse("in-process");
        long memory = memoryLimitMb(values);
        Optional<String> limit = values.value("memory_limit");
        switch (mode) {
            case "in-process", "inprocess", "classloader" -> {
                if (limit.isPresent()) {
                    values.error("memory_limit", "only with isolation = process (in-process replicas share the node's heap)");
                }
                return Isolation.IN_PROCESS;
            }
            case "process" -> {
                return new Isolation(Isolation.Mode.PROCESS, memory);
            }
            default -> {
                values.error("isolation", "must be in-process or process, got " + ConfigErrors.quote(mode));
                return Isolation.IN_PROCESS;
            }
        }
    }

    /** {@code memory_limit} in MiB; 1024 (1g) when absent. */
    static long memoryLimitMb(SectionValues values) {
        long memory = 0;
        Optional<String> limit = values.value("memory_limit");
        if (limit.isPresent()) {
            Matcher m = MEMORY.matcher(limit.get());
            if (m.matches()) {
                memory = Long.parseLong(m.group(1)) * (m.group(2).equalsIgnoreCase("g") ? 1024 : 1);
                if (memory < 64) {
                    values.error("memory_limit", "must be at least 64m, got " + ConfigErrors.quote(limit.get()));
                }
            } else {
                values.error("memory_limit", "must be a size such as 512m or 2g, got " + ConfigErrors.quote(limit.get()));
            }
        }
        return memory == 0 ? 1024 : memory;
    }
}
