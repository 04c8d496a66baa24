package io.modelserve.controller.reconcile;

import io.modelserve.cluster.ClusterEvent;
import java.util.List;

/**
 * What the loop tells the cluster's timeline: each pass (so the timeline can record what changed
 * since the last one), the end of its term, and what it decided itself. The loop sees only this,
 * so the timeline ({@code events.EventLog}) depends on the loop's package and not the other way round.
 */
public interface Timeline {
    /** One pass of the leader; returns how many timeline entries it had to put back or remove. */
    int pass();

    /** The term ended: a standby writes nothing. */
    void standDown();

    /** Something the leader did (an apply, an autoscale decision). */
    void record(ClusterEvent.Kind kind, List<String> deployments, String subject, String message);
}
