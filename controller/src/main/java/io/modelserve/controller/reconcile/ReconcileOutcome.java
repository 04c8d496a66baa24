package io.modelserve.controller.reconcile;

import java.time.Duration;

/** How one reconcile of one deployment ended; each kind is counted in a metric. */
public sealed interface ReconcileOutcome {
    /** Desired and observed agree; nothing to do until something changes. */
    record Converged() implements ReconcileOutcome {}

    /** Work is under way (replicas starting, draining, pending); look again after {@code after}. */
    record Progressing(Duration after, String reason) implements ReconcileOutcome {}

    /** The reconcile itself failed (not a replica: the controller); retried with backoff. */
    record Failed(String message) implements ReconcileOutcome {}

    default String label() {
        return switch (this) {
            case Converged c -> "converged";
            case Progressing p -> "progressing";
            case Failed f -> "failed";
        };
    }
}
