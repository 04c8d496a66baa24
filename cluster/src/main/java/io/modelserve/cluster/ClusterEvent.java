package io.modelserve.cluster;

import java.util.List;

/**
 * One thing that happened in the cluster, in the timeline the leader keeps ({@link ClusterState#events()}).
 *
 * @param seq         position in the timeline: increasing, never reused (a new leader continues after the last)
 * @param deployments the deployments it concerns (an apply may change several); empty for node and leader events
 * @param subject     what it happened to: a replica id, a node id, a generation
 * @param message     what an operator reads, with the reason where there is one
 */
public record ClusterEvent(long seq, long atMillis, Kind kind, List<String> deployments, String subject, String message) {
    public enum Kind { APPLY, REPLICA_STARTED, REPLICA_STOPPED, REPLICA_FAILED, AUTOSCALE, LEADER, NODE_JOINED, NODE_LOST }

    public ClusterEvent {
        deployments = List.copyOf(deployments);
    }

    /** The map key: zero-padded, so keys sort as the timeline does. */
    public static String key(long seq) {
        return String.format("%019d", seq);
    }

    public boolean concerns(String deployment) {
        return deployments.contains(deployment);
    }
}
