package io.modelserve.cli;

import io.modelserve.agent.builtin.BuiltinBackends;
import io.modelserve.agent.builtin.BuiltinOption;
import io.modelserve.controller.config.BuiltinSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The node agent's built-in backends as conf.ini validation sees them: names and keys with their checks. */
final class BuiltinSchemas {
    private BuiltinSchemas() {}

    static List<BuiltinSchema> standard() {
        return BuiltinBackends.standard().all().stream().map(BuiltinSchemas::schema).toList();
    }

    private static BuiltinSchema schema(BuiltinBackends.Builtin builtin) {
        Map<String, BuiltinSchema.Option> options = new LinkedHashMap<>();
        for (BuiltinOption option : builtin.options()) {
            options.put(option.key(), new BuiltinSchema.Option(option.check(), option.modelFile()));
        }
        return new BuiltinSchema(builtin.name(), options);
    }
}
