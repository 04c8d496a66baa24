package io.modelserve.agent.routing;

import io.modelserve.agent.runtime.Replica;
import java.util.List;
import java.util.Optional;

/** The replicas a router may send a deployment's requests to. */
public interface ReplicaDirectory {
    /** Replicas of {@code deployment} on this node in phase RUNNING, in no particular order. */
    List<Replica> running(String deployment);

    /** Whether any replica of {@code deployment} is starting, to tell "starting" from "none" in a 503. */
    boolean starting(String deployment);

    /** RUNNING replicas of {@code deployment} on other live nodes. */
    default List<RemoteReplica> remote(String deployment) {
        return List.of();
    }

    /** A replica of this node by id, whatever its phase. */
    default Optional<Replica> local(String replicaId) {
        return Optional.empty();
    }
}
