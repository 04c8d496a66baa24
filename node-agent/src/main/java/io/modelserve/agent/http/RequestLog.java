package io.modelserve.agent.http;

import io.modelserve.cluster.DeploymentSpec;

/**
 * Where a request answered is counted ({@code modelserve.requests}, by deployment, replica and
 * status): the ingress for its routes, and the protocol front ends (Open Inference REST and gRPC,
 * OpenAI embeddings) for theirs, so a dashboard sees every request whatever it came in by.
 */
@FunctionalInterface
public interface RequestLog {
    RequestLog NONE = (spec, replicaId, status, startedNanos) -> {};

    /**
     * @param replicaId the replica that answered, or null when none did
     * @param status    the HTTP status the request was answered with (gRPC: its HTTP equivalent)
     */
    void record(DeploymentSpec spec, String replicaId, int status, long startedNanos);
}
