package io.modelserve.controller.plan;

import io.modelserve.cluster.DeploymentSpec;

/**
 * Whether the cluster has room now for one replica of a new version beside everything placed: a
 * rolling replacement then starts it before stopping an old one (a surge); without room it replaces
 * in place, and the plan must say so.
 */
@FunctionalInterface
public interface SurgeRoom {
    boolean fits(DeploymentSpec next);

    /** For plans computed from specs alone (no cluster at hand). */
    SurgeRoom ASSUMED = next -> true;
}
