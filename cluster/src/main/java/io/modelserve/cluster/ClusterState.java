package io.modelserve.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed access to the shared maps. One writer per kind of entry, so no distributed locks:
 * <ul>
 *   <li>{@link #deployments()}: name -> desired spec; written by the leader on apply;</li>
 *   <li>{@link #assignments()}: replica id -> placement; written by the leader's reconcile loop;</li>
 *   <li>{@link #replicas()}: replica id -> observed status; written by the node that runs it;</li>
 *   <li>{@link #nodes()}: node id -> capacity and addresses; written by each node for itself;</li>
 *   <li>{@link #applied()}: "current" -> the conf.ini text in force; written by the leader on apply;</li>
 *   <li>{@link #leader()}: "lease" -> who runs the controller, with its epoch; taken by head-eligible members;</li>
 *   <li>{@link #events()}: sequence number -> what happened (the timeline); written by the leader.</li>
 * </ul>
 * Every value is sealed ({@link EntrySeal}); an entry that does not verify reads as absent.
 */
public final class ClusterState {
    private final HazelcastInstance hazelcast;
    private final EntrySeal seal;

    /**
     * Seals with the key {@link ClusterMember} put in the member's (local, never transmitted) user
     * context, or, for a member started otherwise, with the integrity-only key of its cluster name.
     */
    public ClusterState(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
        this.seal = hazelcast.getUserContext().get(ClusterMember.SEAL_CONTEXT_KEY) instanceof EntrySeal own
                ? own : ClusterKeys.of(hazelcast.getConfig().getClusterName(), "").entrySeal();
    }

    private <V> StateMap<V> map(String name, Class<V> type) {
        return new StateMap<>(hazelcast.getMap(name), type, seal);
    }

    /** Seals and opens entries of maps that are not a {@link StateMap} (the async queue's). */
    public EntrySeal seal() {
        return seal;
    }

    public StateMap<DeploymentSpec> deployments() {
        return map("modelserve.deployments", DeploymentSpec.class);
    }

    public StateMap<ReplicaAssignment> assignments() {
        return map("modelserve.assignments", ReplicaAssignment.class);
    }

    public StateMap<ReplicaStatus> replicas() {
        return map("modelserve.replicas", ReplicaStatus.class);
    }

    public StateMap<NodeStatus> nodes() {
        return map("modelserve.nodes", NodeStatus.class);
    }

    public StateMap<AppliedConfig> applied() {
        return map("modelserve.applied", AppliedConfig.class);
    }

    public StateMap<LeaderLease> leader() {
        return map("modelserve.leader", LeaderLease.class);
    }

    /** Zero-padded sequence number -> one event of the bounded timeline; written by the leader only. */
    public StateMap<ClusterEvent> events() {
        return map("modelserve.events", ClusterEvent.class);
    }

    /** deployment -> the autoscaler's latest decision; written by the leader. */
    public StateMap<AutoscaleDecision> autoscale() {
        return map("modelserve.autoscale", AutoscaleDecision.class);
    }

    /**
     * deployment -> when a request last found no replica of an autoscaled deployment (scale from zero);
     * written by any ingress, read by the leader.
     */
    public StateMap<Long> demand() {
        return map("modelserve.demand", Long.class);
    }

    /**
     * deployment -> ids of requests posted to {@code /-/queue/<route>} and not yet taken by a node:
     * offered by the accepting ingress, taken by the nodes that run the deployment, its size read by
     * the leader as demand (queued work wakes a deployment scaled to zero).
     */
    public com.hazelcast.collection.IQueue<String> workQueue(String deployment) {
        return hazelcast.getQueue("modelserve.queue." + deployment);
    }

    /**
     * The base URL to call {@code node} at: {@code http://<its member's address>:<port>}, only if its
     * member is in the cluster now and the entry's URL names that same address. The host comes from
     * Hazelcast's view of the member, never from the entry alone, so no entry can make a node call an
     * address that is not a member's.
     */
    public Optional<String> ingressOf(NodeStatus node) {
        if (node.memberUuid() == null || node.ingressUrl() == null) {
            return Optional.empty();
        }
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.getUuid().toString().equals(node.memberUuid())) {
                return IngressUrl.checked(node.ingressUrl(), member.getAddress().getHost());
            }
        }
        return Optional.empty();
    }

    /** Nodes of current members, each with its URL as {@link #ingressOf} derives it; the rest are left out. */
    public List<NodeStatus> verifiedNodes() {
        List<NodeStatus> verified = new ArrayList<>();
        for (NodeStatus node : nodes().values()) {
            ingressOf(node).ifPresent(url -> verified.add(node.withIngressUrl(url)));
        }
        return verified;
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }
}
