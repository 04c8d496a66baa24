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
 * @param devices       its GPUs, {@code gpus} of them (empty from an older node, whose GPUs have no memory size)
 */
public record NodeStatus(String nodeId, String memberUuid, String address, String ingressUrl, long cpuMilli,
        int gpus, boolean headEligible, long startedAtMillis, NodeUsage usage, java.util.List<GpuDevice> devices) {

    public NodeStatus {
        devices = devices == null ? java.util.List.of() : java.util.List.copyOf(devices);
    }

    public NodeStatus(String nodeId, String memberUuid, String address, String ingressUrl, long cpuMilli, int gpus,
            boolean headEligible, long startedAtMillis, NodeUsage usage) {
        this(nodeId, memberUuid, address, ingressUrl, cpuMilli, gpus, headEligible, startedAtMillis, usage, java.util.List.of());
    }

    public NodeStatus(String nodeId, String memberUuid, String address, String ingressUrl, long cpuMilli, int gpus,
            boolean headEligible, long startedAtMillis) {
        this(nodeId, memberUuid, address, ingressUrl, cpuMilli, gpus, headEligible, startedAtMillis, null);
    }

    /** The same node seen at another URL (the one a member's address vouches for). */
    public NodeStatus withIngressUrl(String url) {
        return new NodeStatus(nodeId, memberUuid, address, url, cpuMilli, gpus, headEligible, startedAtMillis, usage, devices);
    }

    public Resources capacity() {
        return new Resources(cpuMilli, gpus * 1000L);
    }
}
