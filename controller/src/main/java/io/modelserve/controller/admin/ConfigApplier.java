package io.modelserve.controller.admin;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ServeSettings;
import io.modelserve.controller.config.ConfigError;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.config.ConfigResult;
import io.modelserve.controller.plan.Plan;
import io.modelserve.controller.reconcile.HazelcastControllerStore;
import io.modelserve.controller.reconcile.Rollout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates a conf.ini and, unless it is a dry run, writes the desired state. A file with any error
 * changes nothing; a valid one writes only the deployments that changed.
 */
public final class ConfigApplier {
    private final ClusterState state;
    private final ConfigParser parser;
    private final Runnable onApplied;

    public ConfigApplier(ClusterState state, ConfigParser parser, Runnable onApplied) {
        this.state = state;
        this.parser = parser;
        this.onApplied = onApplied;
    }

    /** The result of an apply: the errors that rejected the file, or the plan (applied unless a dry run). */
    public record Result(List<String> errors, Plan plan, boolean applied, long generation) {
        public boolean rejected() {
            return !errors.isEmpty();
        }
    }

    public synchronized Result apply(Path path, String text, boolean dryRun) {
        ConfigResult parsed = parser.parse(path, text);
        if (parsed instanceof ConfigResult.Invalid invalid) {
            return new Result(invalid.errors().stream().map(ConfigError::toString).toList(), null, false, generation());
        }
        ConfigResult.Valid valid = (ConfigResult.Valid) parsed;
        List<String> errors = settingsThatNeedRestart(path, valid.settings());
        if (!errors.isEmpty()) {
            return new Result(errors, null, false, generation());
        }
        Map<String, DeploymentSpec> current = new HashMap<>();
        state.deployments().values().forEach(spec -> current.put(spec.name(), spec));
        Plan plan = Plan.between(current, valid.deployments(),
                Rollout.surgeRoom(new HazelcastControllerStore(state)));
        if (dryRun) {
            return new Result(List.of(), plan, false, generation());
        }
        for (DeploymentSpec spec : valid.deployments()) {
            if (!spec.equals(current.get(spec.name()))) {
                state.deployments().put(spec.name(), spec);
            }
            current.remove(spec.name());
        }
        for (String removed : current.keySet()) {
            state.deployments().remove(removed);
        }
        long generation = generation() + (plan.changesAnything() ? 1 : 0);
        state.applied().put("current", new AppliedConfig(path.toAbsolutePath().toString(), text, valid.settings(),
                generation, System.currentTimeMillis()));
        onApplied.run();
        return new Result(List.of(), plan, true, generation);
    }

    public Optional<AppliedConfig> current() {
        return state.applied().get("current");
    }

    private long generation() {
        return current().map(AppliedConfig::generation).orElse(0L);
    }

    /** Ports and the cluster name are bound when nodes start; changing them live would strand nodes. */
    private List<String> settingsThatNeedRestart(Path path, ServeSettings next) {
        List<String> errors = new ArrayList<>();
        Optional<AppliedConfig> running = current();
        if (running.isEmpty()) {
            return errors;
        }
        ServeSettings now = running.get().settings();
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (now.port() != next.port()) {
            errors.add(file + ": [MODEL SERVE] port: the cluster serves on " + now.port() + "; changing it needs a restart of every node");
        }
        if (now.dashboardPort() != next.dashboardPort()) {
            errors.add(file + ": [MODEL SERVE] dashboard_port: the head serves on " + now.dashboardPort() + "; changing it needs a restart of the head");
        }
        if (!now.clusterName().equals(next.clusterName())) {
            errors.add(file + ": [MODEL SERVE] cluster_name: the cluster is '" + now.clusterName() + "'; changing it needs a restart of every node");
        }
        if (!now.clusterSecret().equals(next.clusterSecret())) {
            // Running nodes hold the secret they started with; never name either value.
            errors.add(file + ": [MODEL SERVE] cluster_secret: changing it needs a restart of every node with the new secret");
        }
        return errors;
    }
}
