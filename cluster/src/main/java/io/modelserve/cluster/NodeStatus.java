package io.modelserve.cluster;

/**
 * A node as it advertises itself. Written only by that node.
 *
 * @param nodeId        stable id of the node, e.g. {@code node-127.0.0.1}
 * @param memberUuid    its Hazelcast member uuid, to tell a live node from a lost one
 * @param address       the address every listener of the node binds
 * @param ingressUrl    base URL of its ingress, e.g. {@code http://127.0.0.1:8000}
 * @param cpuMilli      CPU capacity in thousandths of a core
 * @param gpus          number of GPUs (each 1000 milli)
 * @param headEligible  whether it can run the controller
 * @param usage         what its process used at the last announcement; null from a node that does not say
 */
public record NodeStatus(String nodeId, String memberUuid, String address, String ingressUrl, long cpuMilli,
        int gpus, boolean headEligible, long startedAtMillis, NodeUsage usage) {

    public NodeStatus(String nodeId, String memberUuid, String address, String ingressUrl, long cpuMilli, int gpus,
            boolean headEligible, long startedAtMillis) {
        this(nodeId, memberUuid, address, ingressUrl, cpuMilli, gpus, headEligible, startedAtMillis, null);
    }

    public Resources capacity() {
        return new Resources(cpuMilli, gpus * 1000L);
    }
}
