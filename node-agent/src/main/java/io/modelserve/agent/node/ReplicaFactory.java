package io.modelserve.agent.node;

import io.modelserve.agent.runtime.ManagedReplica;
import io.modelserve.cluster.ReplicaAssignment;

/** Creates the replicas the {@link AgentLoop} starts; not yet started. */
@FunctionalInterface
public interface ReplicaFactory<R extends ManagedReplica> {
    /** A new instance for {@code assignment}, its {@code restarts}-th, after {@code previousError} (null at first). */
    R create(ReplicaAssignment assignment, int restarts, String previousError);
}
