package io.modelserve.agent;

import io.modelserve.cluster.GpuDevice;
import java.nio.file.Path;

/**
 * A node agent's identity and resources.
 *
 * @param nodeId      stable node id, e.g. {@code node-127.0.0.2}
 * @param bindAddress the address the ingress (and Hazelcast) bind
 * @param ingressPort the REST port ({@code port} in conf.ini)
 * @param cpuMilli    CPU capacity advertised to the scheduler, thousandths of a core
 * @param gpus        GPUs advertised to the scheduler
 * @param workDir     where the artifact cache lives
 * @param headEligible whether this node's process can run the controller
 * @param clusterSecret the token of node-to-node HTTP, the same on every node, required on forwarded
 *                      requests and artifact downloads (the CLI passes {@code ClusterKeys.httpToken()},
 *                      an HMAC of the cluster secret, never the secret); empty = unauthenticated
 * @param servedDirs    directories whose files this node may read and serve by digest besides its
 *                      cache: a head's {@code algopkg_dir} and {@code model_zoo}; empty on agents
 * @param devices       the GPUs it offers ({@code gpus} of them), as {@code GpuOffer} decided at startup
 */
public record AgentOptions(String nodeId, String bindAddress, int ingressPort, long cpuMilli, int gpus, Path workDir,
        boolean headEligible, String clusterSecret, java.util.List<Path> servedDirs, java.util.List<GpuDevice> devices) {

    /** What a simulated device claims when nothing says otherwise: 16 GiB. */
    public static final long SIMULATED_GPU_MEMORY = 16L << 30;

    public AgentOptions {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
        servedDirs = java.util.List.copyOf(servedDirs);
        devices = java.util.List.copyOf(devices);
        if (devices.size() != gpus) {
            throw new IllegalArgumentException("gpus " + gpus + " but " + devices.size() + " devices");
        }
    }

    /** {@code gpus} simulated devices: tests and callers that only count GPUs. */
    public AgentOptions(String nodeId, String bindAddress, int ingressPort, long cpuMilli, int gpus, Path workDir,
            boolean headEligible, String clusterSecret, java.util.List<Path> servedDirs) {
        this(nodeId, bindAddress, ingressPort, cpuMilli, gpus, workDir, headEligible, clusterSecret, servedDirs,
                simulated(gpus));
    }

    /** The devices that {@code --gpus-simulated count} gives. */
    public static java.util.List<GpuDevice> simulated(int count) {
        java.util.List<GpuDevice> devices = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            devices.add(new GpuDevice(i, io.modelserve.agent.gpu.GpuOffer.SIMULATED_NAME, SIMULATED_GPU_MEMORY, true));
        }
        return devices;
    }

    /** Serving from the cache only. */
    public AgentOptions(String nodeId, String bindAddress, int ingressPort, long cpuMilli, int gpus, Path workDir,
            boolean headEligible, String clusterSecret) {
        this(nodeId, bindAddress, ingressPort, cpuMilli, gpus, workDir, headEligible, clusterSecret, java.util.List.of());
    }

    /** Without a cluster secret. */
    public AgentOptions(String nodeId, String bindAddress, int ingressPort, long cpuMilli, int gpus, Path workDir,
            boolean headEligible) {
        this(nodeId, bindAddress, ingressPort, cpuMilli, gpus, workDir, headEligible, "");
    }

    /** Never prints the secret itself. */
    @Override
    public String toString() {
        return "AgentOptions[nodeId=" + nodeId + ", bindAddress=" + bindAddress + ", ingressPort=" + ingressPort
                + ", cpuMilli=" + cpuMilli + ", gpus=" + devices + ", workDir=" + workDir + ", headEligible="
                + headEligible + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + "]";
    }
}
