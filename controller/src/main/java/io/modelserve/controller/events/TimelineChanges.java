package io.modelserve.controller.events;

import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The events between two observations of the cluster, a pure function: nodes that joined or were
 * lost, replicas that became RUNNING, failed, or stopped (their status went away). Failures are
 * counted, not states compared ({@link #failures}): a replica that failed, restarted and failed again
 * between two passes (FAILED both times) has failed once more.
 */
public final class TimelineChanges {
    private TimelineChanges() {}

    /** An event before it has its place and time in the timeline. */
    public record Draft(ClusterEvent.Kind kind, List<String> deployments, String subject, String message) {}

    public static List<Draft> between(Observation before, Observation after) {
        List<Draft> drafts = new ArrayList<>();
        for (String node : after.liveNodes()) {
            if (!before.liveNodes().contains(node)) {
                drafts.add(new Draft(ClusterEvent.Kind.NODE_JOINED, List.of(), node, node + " joined the cluster"));
            }
        }
        for (String node : before.liveNodes()) {
            if (!after.liveNodes().contains(node)) {
                drafts.add(new Draft(ClusterEvent.Kind.NODE_LOST, List.of(), node, node + " left the cluster or stopped answering"));
            }
        }
        TreeSet<String> replicas = new TreeSet<>(before.statuses().keySet());
        replicas.addAll(after.statuses().keySet());
        for (String id : replicas) {
            ReplicaStatus was = before.statuses().get(id);
            ReplicaStatus now = after.statuses().get(id);
            if (now == null) {
                drafts.add(stopped(was, after));
                continue;
            }
            List<String> deployment = List.of(now.deployment());
            int total = failures(now);
            int fresh = total - (was == null ? 0 : failures(was));
            if (fresh > 0) {
                drafts.add(new Draft(ClusterEvent.Kind.REPLICA_FAILED, deployment, id, id + " on " + now.node() + " failed: "
                        + (now.lastError() == null ? "no reason given" : now.lastError())
                        + (fresh > 1 ? " (" + fresh + " failures since the last look, " + total + " in all)"
                                : total > 1 ? " (failure " + total + ")" : "")));
            }
            if (now.state() == ReplicaState.RUNNING && (was == null || was.state() != ReplicaState.RUNNING)) {
                drafts.add(new Draft(ClusterEvent.Kind.REPLICA_STARTED, deployment, id, id + " running on " + now.node()
                        + " (" + now.device() + ", version " + now.version() + ")"
                        + (now.restarts() > 0 ? " after " + now.restarts() + " restart" + (now.restarts() == 1 ? "" : "s") : "")));
            }
        }
        return drafts;
    }

    /**
     * How many times the replica has failed: each failure is a FAILED state at restart count k followed
     * by a restart to k + 1, so the restarts so far plus one while it is FAILED now.
     */
    static int failures(ReplicaStatus status) {
        return status.restarts() + (status.state() == ReplicaState.FAILED ? 1 : 0);
    }

    private static Draft stopped(ReplicaStatus was, Observation after) {
        String why;
        if (!after.liveNodes().contains(was.node())) {
            why = "its node " + was.node() + " is gone";
        } else if (!after.assignments().containsKey(was.replicaId())) {
            why = "no longer assigned (scaled down, replaced or removed)";
        } else {
            why = "its node stopped reporting it";
        }
        return new Draft(ClusterEvent.Kind.REPLICA_STOPPED, List.of(was.deployment()), was.replicaId(),
                was.replicaId() + " on " + was.node() + " stopped: " + why);
    }
}
