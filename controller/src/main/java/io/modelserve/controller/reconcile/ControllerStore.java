package io.modelserve.controller.reconcile;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.Collection;

/**
 * What the reconciler reads and writes. In production the Hazelcast maps; in tests a plain
 * in-memory fake, so reconcile decisions are tested without a cluster.
 */
public interface ControllerStore {
    Collection<DeploymentSpec> desired();

    Collection<ReplicaAssignment> assignments();

    Collection<ReplicaStatus> statuses();

    /** Nodes that are alive now (their member is in the cluster). */
    Collection<NodeStatus> liveNodes();

    void putAssignment(ReplicaAssignment assignment);

    void removeAssignment(String replicaId);

    /** The specs as declared in conf.ini, before autoscaling decisions are applied to their replicas. */
    default Collection<DeploymentSpec> declared() {
        return desired();
    }

    /** deployment -> the autoscaler's latest decision. */
    default java.util.Map<String, io.modelserve.cluster.AutoscaleDecision> autoscaleDecisions() {
        return java.util.Map.of();
    }

    default void putAutoscaleDecision(io.modelserve.cluster.AutoscaleDecision decision) {}

    /** deployment -> when a request last found no replica of it (for scale from zero). */
    default java.util.Map<String, Long> demand() {
        return java.util.Map.of();
    }

    /** Requests waiting in {@code deployment}'s async queue, not yet taken by any node (demand, for scale from zero). */
    default int queuedWork(String deployment) {
        return 0;
    }

    /** Removes the status of a replica whose node is gone (its own writer cannot). */
    default void removeStatus(String replicaId) {}
}
