package io.modelserve.agent.node;

import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.runtime.Replica;
import java.util.List;
import java.util.Optional;

/** What a node's router may send to: its own replicas first ({@link LocalReplicas}), then the {@link RemoteView}. */
public record NodeDirectory(LocalReplicas local, RemoteView remote) implements ReplicaDirectory {
    @Override
    public List<Replica> running(String deployment) {
        return local.running(deployment);
    }

    @Override
    public boolean starting(String deployment) {
        return local.starting(deployment);
    }

    @Override
    public List<RemoteReplica> remote(String deployment) {
        return remote.running(deployment);
    }

    @Override
    public Optional<Replica> local(String replicaId) {
        return local.byId(replicaId);
    }
}
