package io.modelserve.controller.scheduling;

import io.modelserve.cluster.Resources;
import java.util.Objects;

/**
 * A replica that should run but has no node yet.
 *
 * @param replicaId  unique id of the replica
 * @param deployment the deployment it belongs to, used to spread replicas across nodes
 * @param cost       what it needs on one node; {@code gpuMilli} is a share of a single device,
 *                   because a replica runs on one GPU at most
 */
public record ReplicaRequest(String replicaId, String deployment, Resources cost) {

    public ReplicaRequest {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(cost, "cost");
        if (cost.gpuMilli() > NodeLedger.GPU_MILLI) {
            throw new IllegalArgumentException("replica " + replicaId + " asks for gpu "
                    + Resources.formatMilli(cost.gpuMilli()) + ", but a replica runs on one GPU at most");
        }
    }
}
