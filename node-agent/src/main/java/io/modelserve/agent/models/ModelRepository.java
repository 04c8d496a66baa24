package io.modelserve.agent.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.transport.ClusterSecret;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The model repository of multiplexed sections (Triton / KServe style): which models a section has
 * and where each is loaded, and explicit loads and unloads. A load goes to a replica on this node
 * when there is one (the one with the fewest models loaded), else to another node's; an unload to
 * every replica holding the model, here and elsewhere. Other nodes are asked through their
 * {@code /-/models} endpoint with the cluster secret, and act on their own replicas only.
 */
public final class ModelRepository {
    private static final ObjectMapper JSON = PooledJson.mapper();

    /** An answer to relay as is: HTTP status and JSON body. */
    public record Answer(int status, Map<String, Object> body) {
        static Answer error(int status, String message) {
            return new Answer(status, Map.of("status", 0, "error", message));
        }
    }

    private final RouteTable routes;
    private final ReplicaDirectory directory;
    private final ClusterSecret secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ModelRepository(RouteTable routes, ReplicaDirectory directory, String clusterSecret) {
        this.routes = routes;
        this.directory = directory;
        this.secret = new ClusterSecret(clusterSecret);
    }

    /** Every model of {@code deployment}: LOADED with the replicas holding it, or UNLOADED. */
    public Answer list(String deployment) {
        Optional<DeploymentSpec> found = multiplexed(deployment);
        if (found.isEmpty()) {
            return notMultiplexed(deployment);
        }
        DeploymentSpec spec = found.get();
        Map<String, List<String>> holders = new LinkedHashMap<>();
        spec.multiplex().names().forEach(name -> holders.put(name, new ArrayList<>()));
        for (Replica replica : directory.running(deployment)) {
            replica.loadedModels().forEach(m -> holders.computeIfPresent(m, (k, list) -> add(list, replica.id())));
        }
        for (RemoteReplica replica : directory.remote(deployment)) {
            replica.models().forEach(m -> holders.computeIfPresent(m, (k, list) -> add(list, replica.replicaId())));
        }
        List<Map<String, Object>> models = new ArrayList<>();
        holders.forEach((name, replicas) -> models.add(Map.of("name", name, "state", replicas.isEmpty() ? "UNLOADED"
                : "LOADED", "replicas", replicas.stream().sorted().toList())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deployment", deployment);
        body.put("max_models_per_replica", spec.multiplex().maxPerReplica());
        body.put("models", models);
        return new Answer(200, body);
    }

    /**
     * Loads or unloads {@code model} of {@code deployment}.
     *
     * @param localOnly act on this node's replicas only (asked by another node)
     */
    public Answer change(String deployment, String model, boolean load, boolean localOnly) {
        Optional<DeploymentSpec> found = multiplexed(deployment);
        if (found.isEmpty()) {
            return notMultiplexed(deployment);
        }
        DeploymentSpec spec = found.get();
        if (spec.multiplex().model(model).isEmpty()) {
            return Answer.error(404, "no model '" + model + "' in " + deployment);
        }
        return load ? load(spec, model, localOnly) : unload(spec, model, localOnly);
    }

    private Answer load(DeploymentSpec spec, String model, boolean localOnly) {
        List<Replica> local = directory.running(spec.name());
        for (Replica replica : local) {
            if (replica.loadedModels().contains(model)) {
                return loaded(model, replica.id(), false);
            }
        }
        Optional<Replica> roomiest = local.stream().min(Comparator.comparingInt(r -> r.loadedModels().size()));
        if (roomiest.isPresent()) {
            return await(spec, model, roomiest.get(), true);
        }
        List<RemoteReplica> remote = localOnly ? List.of() : directory.remote(spec.name());
        for (RemoteReplica replica : remote) {
            if (replica.models().contains(model)) {
                return loaded(model, replica.replicaId(), false);
            }
        }
        if (remote.isEmpty()) {
            return Answer.error(503, "no replica of " + spec.name() + " is running" + (localOnly ? " on this node" : ""));
        }
        return ask(remote.getFirst().baseUrl(), spec, model, "load");
    }

    private Answer unload(DeploymentSpec spec, String model, boolean localOnly) {
        List<String> unloaded = new ArrayList<>();
        for (Replica replica : directory.running(spec.name())) {
            if (replica.loadedModels().contains(model)) {
                Answer answer = await(spec, model, replica, false);
                if (answer.status() != 200) {
                    return answer;
                }
                unloaded.add(replica.id());
            }
        }
        if (!localOnly) {
            Set<String> nodes = new LinkedHashSet<>();
            directory.remote(spec.name()).stream().filter(r -> r.models().contains(model))
                    .forEach(r -> nodes.add(r.baseUrl()));
            for (String node : nodes) {
                Answer answer = ask(node, spec, model, "unload");
                if (answer.status() != 200) {
                    return answer;
                }
                if (answer.body().get("unloaded") instanceof List<?> there) {
                    there.forEach(id -> unloaded.add(String.valueOf(id)));
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("model", model);
        body.put("unloaded", unloaded);
        return new Answer(200, body);
    }

    /** Waits for the replica's turn to apply the change, bounded by the section's timeout_ms. */
    private Answer await(DeploymentSpec spec, String model, Replica replica, boolean load) {
        try {
            boolean changed = replica.changeModel(model, load).get(spec.timeoutMs(), TimeUnit.MILLISECONDS);
            if (!load) {
                return new Answer(200, Map.of("status", 1, "changed", changed));
            }
            return loaded(model, replica.id(), changed);
        } catch (ExecutionException e) {
            return Answer.error(500, e.getCause().getMessage());
        } catch (TimeoutException e) {
            return Answer.error(504, "replica " + replica.id() + " did not " + (load ? "load" : "unload") + " " + model
                    + " within timeout_ms = " + spec.timeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(503, "interrupted");
        }
    }

    /** Asks another node to act on its own replicas. */
    private Answer ask(String baseUrl, DeploymentSpec spec, String model, String action) {
        HttpRequest request = secret.sign(HttpRequest.newBuilder(URI.create(baseUrl + "/-/models/" + spec.name() + "/"
                + model + "/" + action + "?local=true")).timeout(Duration.ofMillis(spec.timeoutMs() + 5_000))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.convertValue(body, Map.class);
            return new Answer(response.statusCode(), map);
        } catch (IOException | RuntimeException e) {
            return Answer.error(502, "node at " + baseUrl + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(503, "interrupted");
        }
    }

    private Optional<DeploymentSpec> multiplexed(String deployment) {
        return routes.forDeployment(deployment).filter(DeploymentSpec::isMultiplexed);
    }

    private Answer notMultiplexed(String deployment) {
        return routes.forDeployment(deployment).isPresent()
                ? Answer.error(404, deployment + " does not multiplex models (it has no models = key)")
                : Answer.error(404, "no deployment " + deployment);
    }

    private static Answer loaded(String model, String replica, boolean changed) {
        return new Answer(200, Map.of("status", 1, "model", model, "replica", replica, "changed", changed));
    }

    private static List<String> add(List<String> list, String id) {
        list.add(id);
        return list;
    }
}
