package io.modelserve.agent.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import io.modelserve.sdk.DeploymentCallException;
import io.modelserve.sdk.DeploymentHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A plugin's handle to another deployment: the call takes the same path as an HTTP request (route
 * table, router, queue, batching, backpressure), minus the HTTP.
 */
public final class RoutedDeploymentHandle implements DeploymentHandle {
    private static final ObjectMapper JSON = PooledJson.mapper();

    private final String deployment;
    private final RouteTable routes;
    private final ReplicaRouter router;
    private final Executor executor;

    public RoutedDeploymentHandle(String deployment, RouteTable routes, ReplicaRouter router, Executor executor) {
        this.deployment = deployment;
        this.routes = routes;
        this.router = router;
        this.executor = executor;
    }

    @Override
    public String deployment() {
        return deployment;
    }

    @Override
    public CompletableFuture<JsonNode> callAsync(JsonNode params) {
        ObjectNode object = params != null && params.isObject() ? ((ObjectNode) params).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        return call(new JsonRequest(object, new byte[0], "application/json"));
    }

    @Override
    public CompletableFuture<JsonNode> callAsync(byte[] body, String contentType) {
        return call(new JsonRequest(JsonNodeFactory.instance.objectNode(), body, contentType));
    }

    private CompletableFuture<JsonNode> call(JsonRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            DeploymentSpec spec = routes.forDeployment(deployment).orElseThrow(() ->
                    new java.util.concurrent.CompletionException(new DeploymentCallException(404, "no deployment named " + deployment)));
            Outcome outcome = router.dispatch(spec, request);
            return switch (outcome) {
                case Outcome.Served served -> JSON.valueToTree(served.result());
                case Outcome.Refused refused -> throw new java.util.concurrent.CompletionException(
                        new DeploymentCallException(refused.status(), refused.message()));
            };
        }, executor);
    }
}
