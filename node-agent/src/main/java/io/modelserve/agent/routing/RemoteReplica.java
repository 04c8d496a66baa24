package io.modelserve.agent.routing;

/**
 * A RUNNING replica on another node, reachable through that node's ingress.
 *
 * @param models a multiplexed section's models loaded on it, as its node last published
 */
public record RemoteReplica(String replicaId, String deployment, String node, String baseUrl, java.util.List<String> models) {
    public RemoteReplica {
        models = models == null ? java.util.List.of() : java.util.List.copyOf(models);
    }

    public RemoteReplica(String replicaId, String deployment, String node, String baseUrl) {
        this(replicaId, deployment, node, baseUrl, java.util.List.of());
    }
}
