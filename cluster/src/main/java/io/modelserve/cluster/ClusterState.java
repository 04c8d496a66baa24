package io.modelserve.cluster;

import com.hazelcast.core.HazelcastInstance;

/**
 * Typed access to the shared maps. One writer per kind of entry, so no distributed locks:
 * <ul>
 *   <li>{@link #deployments()}: name -> desired spec; written by the leader on apply;</li>
 *   <li>{@link #assignments()}: replica id -> placement; written by the leader's reconcile loop;</li>
 *   <li>{@link #replicas()}: replica id -> observed status; written by the node that runs it;</li>
 *   <li>{@link #nodes()}: node id -> capacity and addresses; written by each node for itself;</li>
 *   <li>{@link #applied()}: "current" -> the conf.ini text in force; written by the leader on apply;</li>
 *   <li>{@link #leader()}: "lease" -> who runs the controller, with its epoch; taken by head-eligible members.</li>
 * </ul>
 */
public final class ClusterState {
    private final HazelcastInstance hazelcast;

    public ClusterState(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    public StateMap<DeploymentSpec> deployments() {
        return new StateMap<>(hazelcast.getMap("modelserve.deployments"), DeploymentSpec.class);
    }

    public StateMap<ReplicaAssignment> assignments() {
        return new StateMap<>(hazelcast.getMap("modelserve.assignments"), ReplicaAssignment.class);
    }

    public StateMap<ReplicaStatus> replicas() {
        return new StateMap<>(hazelcast.getMap("modelserve.replicas"), ReplicaStatus.class);
    }

    public StateMap<NodeStatus> nodes() {
        return new StateMap<>(hazelcast.getMap("modelserve.nodes"), NodeStatus.class);
    }

    public StateMap<AppliedConfig> applied() {
        return new StateMap<>(hazelcast.getMap("modelserve.applied"), AppliedConfig.class);
    }

    public StateMap<LeaderLease> leader() {
        return new StateMap<>(hazelcast.getMap("modelserve.leader"), LeaderLease.class);
    }

    /** deployment -> the autoscaler's latest decision; written by the leader. */
    public StateMap<AutoscaleDecision> autoscale() {
        return new StateMap<>(hazelcast.getMap("modelserve.autoscale"), AutoscaleDecision.class);
    }

    /**
     * deployment -> when a request last found no replica of an autoscaled deployment (scale from zero);
     * written by any ingress, read by the leader.
     */
    public com.hazelcast.map.IMap<String, Long> demand() {
        return hazelcast.getMap("modelserve.demand");
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }
}
