package io.modelserve.agent.node;

import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RUNNING replicas of other nodes that are not dead, by deployment: where this node forwards
 * when it has no replica of its own ready. Kept from the entry events of the status and node maps
 * (each carries its value), so a status written anywhere costs this node one map update and a
 * rebuild of a small in-memory table, never a read of the cluster maps. Whether a node is dead is
 * {@link PeerLiveness}'s to say: a frozen or lost node drops out as soon as its member leaves, even
 * if its last status still says RUNNING.
 *
 * <p>Updated from Hazelcast event threads and the loop; the table routing reads is replaced whole.
 */
public final class RemoteView {
    private final String nodeId;
    private final PeerLiveness liveness;
    private final java.util.function.Function<NodeStatus, Optional<String>> ingressOf;
    private final Map<String, ReplicaStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, NodeStatus> nodes = new ConcurrentHashMap<>();
    private volatile Map<String, List<RemoteReplica>> byDeployment = Map.of();

    /** @param ingressOf the URL to call a node at, if its entry names its own member's address ({@code ClusterState.ingressOf}) */
    public RemoteView(String nodeId, PeerLiveness liveness, java.util.function.Function<NodeStatus, Optional<String>> ingressOf) {
        this.nodeId = nodeId;
        this.liveness = liveness;
        this.ingressOf = ingressOf;
    }

    /** A status entry changed (empty: removed); this node's own are not its business. */
    public void statusChanged(String replicaId, Optional<ReplicaStatus> status) {
        if (status.isPresent() && !status.get().node().equals(nodeId)) {
            statuses.put(replicaId, status.get());
        } else if (statuses.remove(replicaId) == null) {
            return;
        }
        refresh();
    }

    /** A node entry changed (empty: removed). */
    public void nodeChanged(String node, Optional<NodeStatus> status) {
        if (status.isPresent()) {
            nodes.put(node, status.get());
            liveness.nodeSeen(node, status.get().memberUuid());
        } else {
            nodes.remove(node);
        }
        refresh();
    }

    /** Rebuilds the table from what is known; also after liveness changed (a member left or joined). */
    public synchronized void refresh() {
        Map<String, String> urls = new HashMap<>();
        for (NodeStatus node : nodes.values()) {
            if (!node.nodeId().equals(nodeId) && liveness.state(node.nodeId()) != PeerLiveness.State.DEAD) {
                ingressOf.apply(node).ifPresent(url -> urls.put(node.nodeId(), url)); // a member's own address only
            }
        }
        Map<String, List<RemoteReplica>> remote = new HashMap<>();
        for (ReplicaStatus status : statuses.values()) {
            String url = urls.get(status.node());
            if (url != null && status.state() == ReplicaState.RUNNING) {
                remote.computeIfAbsent(status.deployment(), d -> new ArrayList<>())
                        .add(new RemoteReplica(status.replicaId(), status.deployment(), status.node(), url, status.models()));
            }
        }
        remote.replaceAll((d, list) -> List.copyOf(list));
        byDeployment = Map.copyOf(remote);
    }

    public List<RemoteReplica> running(String deployment) {
        return byDeployment.getOrDefault(deployment, List.of());
    }

    /** Ids of the remote replicas listed now. */
    public Set<String> replicaIds() {
        Set<String> ids = new java.util.HashSet<>();
        byDeployment.values().forEach(list -> list.forEach(r -> ids.add(r.replicaId())));
        return ids;
    }

    /** Node ids with an entry in the cluster, this one included. */
    public Set<String> knownNodes() {
        return Set.copyOf(nodes.keySet());
    }
}
