package io.modelserve.cluster;

import io.modelserve.sdk.Device;

/**
 * The controller's decision that a replica should run: which deployment version, on which node and
 * device. Written only by the leading controller; each agent runs the assignments naming its node.
 *
 * @param replicaId unique id, e.g. {@code TextEmbedding-3f9a1c}
 * @param spec      the deployment as it was when the replica was created: a rolling update keeps old
 *                  replicas on their own version until they are drained
 * @param node      the node id that runs it, or null while it is PENDING (no node has room)
 * @param device    the CPU or GPU share assigned on that node
 * @param pendingReason why it is not placed, when {@code node} is null
 */
public record ReplicaAssignment(String replicaId, DeploymentSpec spec, String node, Device device,
        String pendingReason, long createdAtMillis) {

    public String deployment() {
        return spec.name();
    }

    public String version() {
        return spec.version();
    }

    public boolean isPlaced() {
        return node != null;
    }

    public ReplicaAssignment placedOn(String nodeId, Device assignedDevice) {
        return new ReplicaAssignment(replicaId, spec, nodeId, assignedDevice, null, createdAtMillis);
    }

    public ReplicaAssignment pending(String reason) {
        return new ReplicaAssignment(replicaId, spec, null, Device.CPU, reason, createdAtMillis);
    }
}
