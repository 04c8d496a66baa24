package io.modelserve.controller.scheduling;

import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.Objects;

/**
 * A replica already running or assigned: its cost is taken from the node's free resources, and it
 * counts toward its deployment's spread.
 *
 * @param device where its GPU share lies; a CPU device takes no GPU whatever {@code cost} says
 */
public record Allocation(String replicaId, String deployment, String nodeId, Resources cost, Device device) {

    public Allocation {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(device, "device");
    }
}
