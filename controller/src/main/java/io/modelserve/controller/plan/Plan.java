package io.modelserve.controller.plan;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What an apply changes, deployment by deployment, as {@code modelserve apply} prints it. Computed
 * from specs alone, so a dry run and a real apply print the same plan.
 */
public record Plan(List<Change> changes) {

    /** How a deployment changes; one deployment may be both replaced and scaled. */
    public enum Kind { CREATED, UPDATED_IN_PLACE, REPLACED, SCALED, REMOVED, UNCHANGED }

    /** One deployment's change, with a human-readable detail. */
    public record Change(String deployment, List<Kind> kinds, String detail) {
        public Change {
            kinds = List.copyOf(kinds);
        }

        @Override
        public String toString() {
            String words = kinds.stream().map(k -> k.name().toLowerCase().replace('_', ' ')).collect(Collectors.joining(", "));
            return deployment + ": " + words + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    public Plan {
        changes = List.copyOf(changes);
    }

    public boolean changesAnything() {
        return changes.stream().anyMatch(c -> !c.kinds().contains(Kind.UNCHANGED));
    }

    /** The plan that turns {@code current} into {@code next}, assuming room for surge replicas. */
    public static Plan between(Map<String, DeploymentSpec> current, List<DeploymentSpec> next) {
        return between(current, next, SurgeRoom.ASSUMED);
    }

    /**
     * The plan that turns {@code current} into {@code next}; {@code room} tells, for a replaced
     * deployment, whether a new replica can start beside the old ones or must replace one in place.
     */
    public static Plan between(Map<String, DeploymentSpec> current, List<DeploymentSpec> next, SurgeRoom room) {
        List<Change> changes = new ArrayList<>();
        Set<String> nextNames = new TreeSet<>();
        for (DeploymentSpec spec : next) {
            nextNames.add(spec.name());
            DeploymentSpec before = current.get(spec.name());
            changes.add(before == null
                    ? new Change(spec.name(), List.of(Kind.CREATED), spec.replicas() + " replica" + (spec.replicas() == 1 ? "" : "s") + " at /" + spec.route())
                    : compare(before, spec, room));
        }
        for (String name : new TreeSet<>(current.keySet())) {
            if (!nextNames.contains(name)) {
                changes.add(new Change(name, List.of(Kind.REMOVED), "route /" + current.get(name).route() + " freed"));
            }
        }
        return new Plan(changes);
    }

    private static Change compare(DeploymentSpec before, DeploymentSpec after, SurgeRoom room) {
        List<Kind> kinds = new ArrayList<>();
        List<String> details = new ArrayList<>();
        if (!before.version().equals(after.version())) {
            kinds.add(Kind.REPLACED);
            boolean surge = after.replicas() == 0 || room.fits(after);
            details.add(restartReasons(before, after) + "; " + (surge ? "replicas replaced one by one"
                    : "replaces in place: no capacity for a surge replica, so one replica fewer serves while each new one starts"));
        }
        List<String> inPlace = new ArrayList<>();
        if (!before.config().equals(after.config())) {
            inPlace.add("config");
        }
        if (!before.route().equals(after.route())) {
            inPlace.add("route /" + before.route() + " -> /" + after.route());
        }
        if (!before.methods().equals(after.methods())) {
            inPlace.add("method " + String.join(",", after.methods()));
        }
        if (!Objects.equals(before.autoscaling(), after.autoscaling())) {
            inPlace.add(after.isAutoscaled() ? "autoscaling " + after.autoscaling().min() + ".." + after.autoscaling().max()
                    + ", target_ongoing " + after.autoscaling().targetOngoing() : "autoscaling off");
        }
        if (before.bare() != after.bare()) {
            inPlace.add("envelope " + !after.bare());
        }
        if (before.retry() != after.retry()) {
            inPlace.add("retry " + after.retry());
        }
        if (before.timeoutMs() != after.timeoutMs()) {
            inPlace.add("timeout_ms " + after.timeoutMs());
        }
        if (before.traffic() != after.traffic()) {
            inPlace.add("traffic " + before.traffic() + "% -> " + after.traffic() + "%");
        }
        if (!inPlace.isEmpty()) {
            kinds.add(Kind.UPDATED_IN_PLACE);
            details.add(String.join(", ", inPlace));
        }
        if (before.replicas() != after.replicas()) {
            kinds.add(Kind.SCALED);
            details.add("replicas " + before.replicas() + " -> " + after.replicas());
        }
        if (kinds.isEmpty()) {
            kinds.add(Kind.UNCHANGED);
        }
        return new Change(after.name(), kinds, String.join("; ", details));
    }

    private static String restartReasons(DeploymentSpec before, DeploymentSpec after) {
        List<String> reasons = new ArrayList<>();
        if (!before.backend().equals(after.backend())) {
            reasons.add("backend " + after.backend());
        }
        if (!digests(before.pluginJars()).equals(digests(after.pluginJars()))) {
            reasons.add("plugin jar changed");
        }
        if (!digests(before.models()).equals(digests(after.models()))) {
            reasons.add("model files changed");
        }
        if (before.maxBatchSize() != after.maxBatchSize() || before.batchWaitMs() != after.batchWaitMs()) {
            reasons.add("batching");
        }
        if (!before.cost().equals(after.cost())) {
            reasons.add("cost " + after.cost());
        }
        if (before.maxQueued() != after.maxQueued()) {
            reasons.add("max_queued");
        }
        return reasons.isEmpty() ? "version " + before.version() + " -> " + after.version() : String.join(", ", reasons);
    }

    private static List<String> digests(List<Artifact> artifacts) {
        return artifacts.stream().map(a -> a.name() + "=" + a.sha256()).toList();
    }

    /** Whether {@code a} and {@code b} are the same desired state (nothing for apply to do). */
    public static boolean same(DeploymentSpec a, DeploymentSpec b) {
        return Objects.equals(a, b);
    }
}
