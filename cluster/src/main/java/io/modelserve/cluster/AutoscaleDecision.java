package io.modelserve.cluster;

/**
 * The autoscaler's latest decision for a deployment: how many replicas, and why. Written by the
 * leading controller; kept in the cluster so a new leader resumes from it instead of from the minimum.
 */
public record AutoscaleDecision(String deployment, int replicas, String reason, long decidedAtMillis) {}
