package io.modelserve.agent.routing;

import io.modelserve.cluster.DeploymentSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Route -> deployment, as desired by the applied conf.ini: a main deployment and its canaries
 * ({@code <Main>@<label>}), which serve the same route. Replaced whole on every change, so a request
 * reads one consistent snapshot without locks.
 */
public final class RouteTable {
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of());

    private record Snapshot(Map<String, DeploymentSpec> byRoute, Map<String, DeploymentSpec> byName,
            Map<String, List<DeploymentSpec>> canariesByMain) {}

    public void update(Collection<DeploymentSpec> deployments) {
        Map<String, DeploymentSpec> byRoute = new HashMap<>();
        Map<String, DeploymentSpec> byName = new HashMap<>();
        Map<String, List<DeploymentSpec>> canaries = new HashMap<>();
        for (DeploymentSpec spec : deployments) {
            byName.put(spec.name(), spec);
            if (spec.isCanary()) {
                canaries.computeIfAbsent(spec.mainName(), main -> new ArrayList<>()).add(spec);
            } else {
                byRoute.put(spec.route(), spec);
            }
        }
        Map<String, List<DeploymentSpec>> sorted = new HashMap<>();
        // Sorted by name so every node splits the same way for the same roll.
        canaries.forEach((main, list) -> sorted.put(main, list.stream()
                .sorted(Comparator.comparing(DeploymentSpec::name)).toList()));
        snapshot = new Snapshot(Map.copyOf(byRoute), Map.copyOf(byName), Map.copyOf(sorted));
    }

    /** The main deployment serving {@code route} (no leading or trailing '/'). */
    public Optional<DeploymentSpec> forRoute(String route) {
        return Optional.ofNullable(snapshot.byRoute().get(route));
    }

    /** Any deployment by name, canaries included ({@code TextEmbedding@v2}). */
    public Optional<DeploymentSpec> forDeployment(String name) {
        return Optional.ofNullable(snapshot.byName().get(name));
    }

    /** The canaries sharing the route of main deployment {@code mainName}, by name; empty when none. */
    public List<DeploymentSpec> canariesOf(String mainName) {
        return snapshot.canariesByMain().getOrDefault(mainName, List.of());
    }

    /**
     * The version of {@code main} a request pinned to {@code label} goes to: {@code main} itself for
     * {@value DeploymentSpec#MAIN_LABEL}, else its canary {@code <main>@<label>}.
     */
    public Optional<DeploymentSpec> version(DeploymentSpec main, String label) {
        if (label.equals(DeploymentSpec.MAIN_LABEL)) {
            return Optional.of(main);
        }
        return canariesOf(main.name()).stream().filter(canary -> canary.label().equals(label)).findFirst();
    }

    /** route -> deployment name, methods and, with canaries, the traffic split; sorted, for {@code /-/routes}. */
    public Map<String, Object> describe() {
        Map<String, Object> routes = new TreeMap<>();
        for (DeploymentSpec spec : snapshot.byRoute().values()) {
            List<DeploymentSpec> canaries = canariesOf(spec.name());
            if (canaries.isEmpty()) {
                routes.put("/" + spec.route(), Map.of("deployment", spec.name(), "methods", spec.methods()));
            } else {
                Map<String, Integer> split = new LinkedHashMap<>();
                split.put(spec.name(), TrafficSplit.mainShare(canaries));
                canaries.forEach(canary -> split.put(canary.name(), canary.traffic()));
                routes.put("/" + spec.route(), Map.of("deployment", spec.name(), "methods", spec.methods(),
                        "traffic", split));
            }
        }
        return routes;
    }

    public List<DeploymentSpec> deployments() {
        return List.copyOf(snapshot.byName().values());
    }
}
