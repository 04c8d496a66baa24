package io.modelserve.agent.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.EmbeddingCall;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which deployments embed text, for {@code /v1/models} and {@code /v1/embeddings}: built-in
 * {@code text-embedding} ones by their spec, plugin ones by asking a replica once per deployment
 * version (an empty {@link EmbeddingCall}, answered without calling the plugin), since only the
 * replica has the plugin's class. A deployment with no replica ready is not known yet, and not listed.
 */
final class EmbeddingModels {
    private static final ObjectMapper JSON = PooledJson.mapper();

    private final RouteTable routes;
    private final ReplicaRouter router;
    /** deployment name + version -> whether its backend embeds text */
    private final Map<String, Boolean> probed = new ConcurrentHashMap<>();

    EmbeddingModels(RouteTable routes, ReplicaRouter router) {
        this.routes = routes;
        this.router = router;
    }

    /** Main deployments that embed text, by name. */
    List<DeploymentSpec> list() {
        return routes.deployments().stream().filter(spec -> !spec.isCanary()).filter(this::embeds)
                .sorted(Comparator.comparing(DeploymentSpec::name)).toList();
    }

    boolean embeds(DeploymentSpec spec) {
        if (spec.isBuiltin()) {
            return spec.backend().equals("builtin:text-embedding");
        }
        String key = spec.name() + "/" + spec.version();
        Boolean known = probed.get(key);
        if (known != null) {
            return known;
        }
        if (!router.hasReady(spec.name())) {
            return false;
        }
        if (router.dispatch(spec, EmbeddingCall.request(List.of())) instanceof Outcome.Served served) {
            boolean embeds = !tree(served.result()).has(EmbeddingCall.NOT_EMBEDDER);
            probed.put(key, embeds);
            return embeds;
        }
        return false;
    }

    static JsonNode tree(Object result) {
        return result instanceof JsonNode node ? node : JSON.valueToTree(result);
    }
}
