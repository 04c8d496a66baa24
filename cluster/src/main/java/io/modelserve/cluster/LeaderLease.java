package io.modelserve.cluster;

/**
 * Who runs the controller. Taken by an atomic conditional replace with a higher epoch, so a
 * controller that lost the lease (a stale leader back from a pause) sees another epoch and stops.
 */
public record LeaderLease(String memberUuid, String nodeId, long epoch, long sinceMillis) {}
