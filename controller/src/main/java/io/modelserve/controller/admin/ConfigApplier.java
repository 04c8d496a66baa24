package io.modelserve.controller.admin;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ServeSettings;
import io.modelserve.controller.config.ConfigError;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.config.ConfigResult;
import io.modelserve.cluster.ClusterEvent;
import io.modelserve.controller.events.EventLog;
import io.modelserve.controller.plan.Plan;
import io.modelserve.controller.reconcile.ControllerStore;
import io.modelserve.controller.reconcile.OwnedState;
import io.modelserve.controller.reconcile.Rollout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Validates a conf.ini and, unless it is a dry run, writes the desired state. A file with any error
 * changes nothing; a valid one writes only the deployments that changed. Only the leader applies, and
 * every apply that changes anything takes the next generation by a conditional replace of the applied
 * entry, so two applies (from two heads that both think they lead) never share one: the second is
 * told to retry.
 *
 * <p>What enters the cluster holds no admin token: the text has it redacted, the settings carry its
 * salted hash ({@link AdminTokenHash}).
 */
public final class ConfigApplier {
    private final ControllerStore store;
    private final OwnedState owned;
    private final ConfigParser parser;
    private final BooleanSupplier leads;
    private final LongSupplier clock;
    private final Runnable onApplied;
    private final String clusterSecret;
    private final EventLog events;

    /** For a cluster without a secret. */
    public ConfigApplier(ControllerStore store, OwnedState owned, ConfigParser parser, BooleanSupplier leads,
            LongSupplier clock, Runnable onApplied) {
        this(store, owned, parser, leads, clock, onApplied, "");
    }

    /**
     * @param clusterSecret the secret this process joined with: it stays here, never in a map or on
     *                      disk, and a conf.ini naming another one is refused (nodes hold theirs since
     *                      they started)
     */
    public ConfigApplier(ControllerStore store, OwnedState owned, ConfigParser parser, BooleanSupplier leads,
            LongSupplier clock, Runnable onApplied, String clusterSecret) {
        this(store, owned, parser, leads, clock, onApplied, clusterSecret, new EventLog(store, clock::getAsLong, "this head"));
    }

    /** @param events the timeline each apply is recorded in (the controller loop's) */
    public ConfigApplier(ControllerStore store, OwnedState owned, ConfigParser parser, BooleanSupplier leads,
            LongSupplier clock, Runnable onApplied, String clusterSecret, EventLog events) {
        this.events = events;
        this.store = store;
        this.owned = owned;
        this.parser = parser;
        this.leads = leads;
        this.clock = clock;
        this.onApplied = onApplied;
        this.clusterSecret = clusterSecret == null ? "" : clusterSecret;
    }

    /** Why an apply wrote nothing although the file was valid. */
    public enum Refusal { NONE, NOT_LEADER, CONFLICT }

    /** The result of an apply: the errors that rejected the file, or the plan (applied unless a dry run). */
    public record Result(List<String> errors, Plan plan, boolean applied, long generation, Refusal refusal) {
        public Result(List<String> errors, Plan plan, boolean applied, long generation) {
            this(errors, plan, applied, generation, Refusal.NONE);
        }

        public boolean rejected() {
            return !errors.isEmpty();
        }
    }

    public synchronized Result apply(Path path, String text, boolean dryRun) {
        ConfigResult parsed = parser.parse(path, text);
        if (parsed instanceof ConfigResult.Invalid invalid) {
            return new Result(invalid.errors().stream().map(ConfigError::toString).toList(), null, false, generation());
        }
        if (!leads.getAsBoolean()) {
            return new Result(List.of("this head does not hold the leader lease; apply at the leader"), null, false,
                    generation(), Refusal.NOT_LEADER);
        }
        owned.takeOver(store);
        owned.restore(store);
        Optional<AppliedConfig> current = owned.applied();
        ConfigResult.Valid valid = (ConfigResult.Valid) parsed;
        List<String> errors = settingsThatNeedRestart(path, current, valid.settings());
        if (!java.security.MessageDigest.isEqual(clusterSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                valid.settings().clusterSecret().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            // Running nodes hold the secret they started with; never name either value.
            errors.add(fileName(path) + ": [MODEL SERVE] cluster_secret: this head runs with " + (clusterSecret.isEmpty()
                    ? "none" : "another one") + "; changing it needs a restart of every node with the new secret");
        }
        ServeSettings settings = withTokenHashed(valid.settings().withoutClusterSecret(), current, errors, path);
        if (!errors.isEmpty()) {
            return new Result(errors, null, false, generation());
        }
        Plan plan = Plan.between(owned.deployments(), valid.deployments(), Rollout.surgeRoom(store));
        long generation = current.map(AppliedConfig::generation).orElse(0L);
        if (dryRun) {
            return new Result(List.of(), plan, false, generation);
        }
        String shownText = TokenRedaction.redact(text);
        String absolute = path.toAbsolutePath().toString();
        boolean unchanged = current.isPresent() && !plan.changesAnything() && current.get().text().equals(shownText)
                && current.get().settings().equals(settings) && current.get().path().equals(absolute);
        if (unchanged) {
            return new Result(List.of(), plan, true, generation);
        }
        AppliedConfig next = new AppliedConfig(absolute, shownText, settings, generation + 1, clock.getAsLong());
        if (!owned.commit(store, current, next, valid.deployments())) {
            return new Result(List.of("another apply changed the cluster's config meanwhile; nothing was written,"
                    + " run apply again"), plan, false, generation(), Refusal.CONFLICT);
        }
        List<Plan.Change> changes = plan.changes().stream()
                .filter(c -> !c.kinds().equals(List.of(Plan.Kind.UNCHANGED))).toList();
        events.record(ClusterEvent.Kind.APPLY, changes.stream().map(Plan.Change::deployment).toList(),
                "generation " + next.generation(), "generation " + next.generation() + " applied from " + fileName(path)
                        + (changes.isEmpty() ? ": settings only, no deployment changed"
                                : ": " + String.join("; ", changes.stream().map(Plan.Change::toString).toList())));
        onApplied.run();
        return new Result(List.of(), plan, true, next.generation());
    }

    /** The applied entry as the cluster holds it (kept equal to the leader's record by every pass). */
    public Optional<AppliedConfig> current() {
        return store.applied();
    }

    /** What a token check trusts: on the leader its own record, elsewhere the cluster's entry. */
    public Optional<AppliedConfig> trusted() {
        return owned.holdsTerm() ? owned.applied().or(this::current) : current();
    }

    private long generation() {
        return current().map(AppliedConfig::generation).orElse(0L);
    }

    /**
     * The token in force stays when the text still has the placeholder {@code /api/config} showed, or
     * names the same token (so its hash, and the generation, do not change); a new token gets a new hash.
     */
    private static ServeSettings withTokenHashed(ServeSettings settings, Optional<AppliedConfig> current,
            List<String> errors, Path path) {
        String token = settings.adminToken();
        String inForce = current.map(c -> c.settings().adminToken()).orElse("");
        if (token == null || token.isEmpty()) {
            return settings.withAdminToken("");
        }
        if (token.equals(TokenRedaction.HIDDEN)) {
            if (!AdminTokenHash.isHash(inForce)) {
                errors.add(fileName(path) + ": [MODEL SERVE] admin_token: " + TokenRedaction.HIDDEN
                        + " keeps the token in force, but none is; write the token or ${ENV_VAR}");
            }
            return settings.withAdminToken(inForce);
        }
        return settings.withAdminToken(AdminTokenHash.matches(inForce, token) ? inForce : AdminTokenHash.of(token));
    }

    /** Ports and the cluster name are bound when nodes start; changing them live would strand nodes. */
    private static List<String> settingsThatNeedRestart(Path path, Optional<AppliedConfig> running, ServeSettings next) {
        List<String> errors = new ArrayList<>();
        if (running.isEmpty()) {
            return errors;
        }
        ServeSettings now = running.get().settings();
        String file = fileName(path);
        if (now.port() != next.port()) {
            errors.add(file + ": [MODEL SERVE] port: the cluster serves on " + now.port() + "; changing it needs a restart of every node");
        }
        if (now.grpcPort() != next.grpcPort()) {
            errors.add(file + ": [MODEL SERVE] grpc_port: the cluster serves gRPC on " + (now.grpcPort() == 0 ? "no port"
                    : now.grpcPort()) + "; changing it needs a restart of every node");
        }
        if (now.dashboardPort() != next.dashboardPort()) {
            errors.add(file + ": [MODEL SERVE] dashboard_port: the head serves on " + now.dashboardPort() + "; changing it needs a restart of the head");
        }
        if (!now.clusterName().equals(next.clusterName())) {
            errors.add(file + ": [MODEL SERVE] cluster_name: the cluster is '" + now.clusterName() + "'; changing it needs a restart of every node");
        }
        return errors;
    }

    private static String fileName(Path path) {
        return path.getFileName() == null ? path.toString() : path.getFileName().toString();
    }
}
