package io.modelserve.controller.reconcile;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import java.util.Collection;
import java.util.Optional;

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

    /** The applied entry: the conf.ini in force and its generation; empty before the first apply. */
    Optional<AppliedConfig> applied();

    /**
     * Writes the applied entry only if it is still {@code expected} (empty: still absent): the one
     * step that makes generations unique, even when two heads apply at once. False if another got there first.
     */
    boolean replaceApplied(Optional<AppliedConfig> expected, AppliedConfig next);

    /** Rewrites the applied entry unconditionally: the leader restoring its own record. */
    void putApplied(AppliedConfig applied);

    void putDeployment(DeploymentSpec spec);

    void removeDeployment(String name);

    /** The timeline's entries that verify (see {@link io.modelserve.cluster.ClusterState#events()}). */
    Collection<io.modelserve.cluster.ClusterEvent> events();

    void putEvent(io.modelserve.cluster.ClusterEvent event);

    void removeEvent(long seq);

    /** Removes the status of a replica whose node is gone (its own writer cannot). */
    default void removeStatus(String replicaId) {}
}
