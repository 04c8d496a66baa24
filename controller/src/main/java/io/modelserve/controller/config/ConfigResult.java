package io.modelserve.controller.config;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ServeSettings;
import java.util.List;
import java.util.Objects;

/** What reading conf.ini gives: either everything, valid, or every problem found — never a part. */
public sealed interface ConfigResult permits ConfigResult.Valid, ConfigResult.Invalid {

    /** @param deployments in the order of their sections in the file */
    record Valid(ServeSettings settings, List<DeploymentSpec> deployments) implements ConfigResult {
        public Valid {
            Objects.requireNonNull(settings, "settings");
            deployments = List.copyOf(deployments);
        }
    }

    /** @param errors never empty, sorted by line */
    record Invalid(List<ConfigError> errors) implements ConfigResult {
        public Invalid {
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an invalid config has at least one error");
            }
        }
    }
}
