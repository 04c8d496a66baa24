package io.modelserve.controller.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The plain keys a built-in backend ({@code backend = builtin:<name>}) accepts in its section, besides
 * the keys every deployment has. The node agent defines them; the controller only checks them, so it
 * needs no backend code.
 */
public record BuiltinSchema(String name, Map<String, Option> options) {

    public BuiltinSchema {
        options = Map.copyOf(options);
    }

    /** A builtin that takes no keys of its own. */
    public static BuiltinSchema withoutOptions(String name) {
        return new BuiltinSchema(name, Map.of());
    }

    /**
     * @param check     the problem with a value, or empty when it is good
     * @param modelFile the value names a file in Model_ZOO; it is checked, digested and shipped like a model
     */
    public record Option(Function<String, Optional<String>> check, boolean modelFile) {}
}
