package io.modelserve.agent;

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
 * @param clusterSecret shared by every node, required on forwarded requests and artifact downloads;
 *                      empty = node-to-node HTTP is unauthenticated
 */
public record AgentOptions(String nodeId, String bindAddress, int ingressPort, long cpuMilli, int gpus, Path workDir,
        boolean headEligible, String clusterSecret) {

    public AgentOptions {
        clusterSecret = clusterSecret == null ? "" : clusterSecret;
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
                + ", cpuMilli=" + cpuMilli + ", gpus=" + gpus + ", workDir=" + workDir + ", headEligible="
                + headEligible + ", clusterSecret=" + (clusterSecret.isEmpty() ? "<none>" : "<set>") + "]";
    }
}
