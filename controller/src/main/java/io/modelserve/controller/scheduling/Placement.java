package io.modelserve.controller.scheduling;

import io.modelserve.sdk.Device;
import java.util.Objects;

/** The scheduler's decision for one replica: run it on {@code nodeId}, on {@code device}. */
public record Placement(String replicaId, String nodeId, Device device) {

    public Placement {
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(device, "device");
    }
}
