package io.modelserve.agent.node;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.Collection;
import java.util.Map;

/**
 * What a node's {@link AgentLoop} reads and writes, as {@code ControllerStore} is for the controller:
 * the Hazelcast maps in production ({@link HazelcastAgentStore}), a plain fake in tests.
 */
public interface AgentStore {
    /** Desired deployments by name. */
    Map<String, DeploymentSpec> desired();

    /** The assignments naming this node, and no other. */
    Collection<ReplicaAssignment> assignments();

    /** Publishes the status of a replica this node runs. */
    void putStatus(ReplicaStatus status);

    void removeStatus(String replicaId);

    /** The cluster identity this node writes under now; it changes when a split heals. */
    String memberId();

    void putNode(NodeStatus node);

    void removeNode(String nodeId);
}
