package io.modelserve.agent.ingress;

import io.modelserve.cluster.DeploymentSpec;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Route -> deployment, as desired by the applied conf.ini. Replaced whole on every change, so a
 * request reads one consistent snapshot without locks.
 */
public final class RouteTable {
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    private record Snapshot(Map<String, DeploymentSpec> byRoute, Map<String, DeploymentSpec> byName) {}

    public void update(Collection<DeploymentSpec> deployments) {
        Map<String, DeploymentSpec> byRoute = new HashMap<>();
        Map<String, DeploymentSpec> byName = new HashMap<>();
        for (DeploymentSpec spec : deployments) {
            byRoute.put(spec.route(), spec);
            byName.put(spec.name(), spec);
        }
        snapshot = new Snapshot(Map.copyOf(byRoute), Map.copyOf(byName));
    }

    /** The deployment serving {@code route} (no leading or trailing '/'). */
    public Optional<DeploymentSpec> forRoute(String route) {
        return Optional.ofNullable(snapshot.byRoute().get(route));
    }

    public Optional<DeploymentSpec> forDeployment(String name) {
        return Optional.ofNullable(snapshot.byName().get(name));
    }

    /** route -> deployment name, sorted, for {@code /-/routes}. */
    public Map<String, Object> describe() {
        Map<String, Object> routes = new TreeMap<>();
        for (DeploymentSpec spec : snapshot.byRoute().values()) {
            routes.put("/" + spec.route(), Map.of("deployment", spec.name(), "methods", spec.methods()));
        }
        return routes;
    }

    public List<DeploymentSpec> deployments() {
        return List.copyOf(snapshot.byName().values());
    }
}
