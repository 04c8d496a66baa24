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
 *
 * <p>A wildcard route {@code ocr/*} serves {@code /ocr} and every path under it, handing the rest of
 * the path to the plugin ({@link io.modelserve.sdk.Request#subPath()}). Exact routes are matched
 * first, then the longest wildcard prefix: {@code /ocr/health} goes to an exact {@code ocr/health}
 * when there is one.
 */
public final class RouteTable {
    /** How a route ends to take every path under it. */
    public static final String WILDCARD = "/*";

    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of(), Map.of(), Map.of());

    /** @param wildcards main deployments of wildcard routes, longest prefix first */
    private record Snapshot(Map<String, DeploymentSpec> byRoute, List<DeploymentSpec> wildcards,
            Map<String, DeploymentSpec> byName, Map<String, List<DeploymentSpec>> canariesByMain) {}

    /**
     * The deployment a path goes to, and the rest of the path under its wildcard route.
     *
     * @param subPath "" for an exact route or the wildcard's own prefix
     */
    public record Match(DeploymentSpec spec, String subPath) {}

    public void update(Collection<DeploymentSpec> deployments) {
        Map<String, DeploymentSpec> byRoute = new HashMap<>();
        Map<String, DeploymentSpec> byName = new HashMap<>();
        Map<String, List<DeploymentSpec>> canaries = new HashMap<>();
        for (DeploymentSpec spec : deployments) {
            byName.put(spec.name(), spec);
            if (spec.isCanary()) {
                canaries.computeIfAbsent(spec.mainName(), main -> new ArrayList<>()).add(spec);
            } else if (!takesSubPaths(spec)) {
                byRoute.put(spec.route(), spec);
            }
        }
        Map<String, List<DeploymentSpec>> sorted = new HashMap<>();
        // Sorted by name so every node splits the same way for the same roll.
        canaries.forEach((main, list) -> sorted.put(main, list.stream()
                .sorted(Comparator.comparing(DeploymentSpec::name)).toList()));
        List<DeploymentSpec> wildcards = deployments.stream()
                .filter(spec -> !spec.isCanary() && takesSubPaths(spec))
                .sorted(Comparator.comparingInt((DeploymentSpec spec) -> spec.route().length()).reversed()
                        .thenComparing(DeploymentSpec::route))
                .toList();
        snapshot = new Snapshot(Map.copyOf(byRoute), wildcards, Map.copyOf(byName), Map.copyOf(sorted));
    }

    /** The main deployment serving {@code route} (no leading or trailing '/'), a wildcard's included. */
    public Optional<DeploymentSpec> forRoute(String route) {
        return match(route).map(Match::spec);
    }

    /** The main deployment serving {@code path} (no leading or trailing '/'): exact, else the longest wildcard. */
    public Optional<Match> match(String path) {
        Snapshot current = snapshot;
        DeploymentSpec exact = current.byRoute().get(path);
        if (exact != null) {
            return Optional.of(new Match(exact, ""));
        }
        for (DeploymentSpec spec : current.wildcards()) {
            String prefix = prefixOf(spec.route());
            if (path.equals(prefix)) {
                return Optional.of(new Match(spec, ""));
            }
            if (path.length() > prefix.length() + 1 && path.startsWith(prefix) && path.charAt(prefix.length()) == '/') {
                return Optional.of(new Match(spec, path.substring(prefix.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /** A wildcard route, or a multiplexed one: {@code words/<model>} goes to {@code route = words}. */
    private static boolean takesSubPaths(DeploymentSpec spec) {
        return spec.route().endsWith(WILDCARD) || spec.isMultiplexed();
    }

    /** {@code ocr} for {@code ocr/*}; a route without the wildcard is its own prefix. */
    public static String prefixOf(String route) {
        return route.endsWith(WILDCARD) ? route.substring(0, route.length() - WILDCARD.length()) : route;
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
        List<DeploymentSpec> mains = new ArrayList<>(snapshot.byRoute().values());
        mains.addAll(snapshot.wildcards());
        for (DeploymentSpec spec : mains) {
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
