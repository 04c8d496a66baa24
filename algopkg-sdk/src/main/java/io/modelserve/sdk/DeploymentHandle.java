package io.modelserve.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * Calls another deployment from inside a plugin (model composition). Calls go through the cluster's
 * routing, so they are served by a ready replica of that deployment, queued and batched like any
 * HTTP request, and refused with {@link DeploymentCallException} when it is overloaded.
 */
public interface DeploymentHandle {

    /** The name of the deployment this handle calls. */
    String deployment();

    /**
     * Calls the deployment with JSON params and waits for its result.
     *
     * @return the {@code result} field of that deployment's answer
     * @throws DeploymentCallException when it answers with an error (the HTTP status is kept)
     */
    default JsonNode call(JsonNode params) throws DeploymentCallException, InterruptedException {
        return DeploymentCallException.join(callAsync(params));
    }

    /** Calls the deployment with a raw body (e.g. an image) and waits for its result. */
    default JsonNode call(byte[] body, String contentType) throws DeploymentCallException, InterruptedException {
        return DeploymentCallException.join(callAsync(body, contentType));
    }

    /** Calls the deployment with JSON params without waiting; fails with {@link DeploymentCallException}. */
    CompletableFuture<JsonNode> callAsync(JsonNode params);

    /** Calls the deployment with a raw body without waiting; fails with {@link DeploymentCallException}. */
    CompletableFuture<JsonNode> callAsync(byte[] body, String contentType);
}
