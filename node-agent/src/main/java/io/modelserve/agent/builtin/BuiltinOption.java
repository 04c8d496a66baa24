package io.modelserve.agent.builtin;

import java.util.Optional;
import java.util.function.Function;

/**
 * A plain key a built-in backend accepts in its conf.ini section.
 *
 * @param check     the problem with a value, or empty when it is good
 * @param modelFile the value names a file in Model_ZOO, shipped to the replica with the model
 */
public record BuiltinOption(String key, String description, Function<String, Optional<String>> check,
        boolean modelFile) {

    static BuiltinOption of(String key, String description, Function<String, ?> parser) {
        return new BuiltinOption(key, description, BuiltinOptionChecks.check(parser), false);
    }

    static BuiltinOption file(String key, String description) {
        return new BuiltinOption(key, description, BuiltinOptionChecks.check(BuiltinOptionChecks::fileName), true);
    }
}
