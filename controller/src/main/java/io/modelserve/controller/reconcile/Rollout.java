package io.modelserve.controller.reconcile;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.controller.plan.SurgeRoom;
import io.modelserve.controller.scheduling.Allocation;
import io.modelserve.controller.scheduling.ClusterView;
import io.modelserve.controller.scheduling.NodeCapacity;
import io.modelserve.controller.scheduling.ReplicaRequest;
import io.modelserve.controller.scheduling.ReplicaScheduler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The two ways a rolling replacement goes, and how to tell them apart. With room for one more
 * replica it surges: a new replica starts beside the old ones and an old one stops only once a new
 * one runs. Without room it replaces in place: an old replica is given up to make room, so capacity
 * drops by one while its successor starts. The plan says which at apply, and status while it lasts.
 */
public final class Rollout {
    public static final String IN_PLACE = "replaces in place: no capacity for a surge replica";

    private Rollout() {}

    /**
     * Whether a rollout is replacing in place now: old replicas remain, yet old and new together are
     * no more than wanted, which only happens once an old one was given up before a new one was ready.
     * A surge always holds one more.
     */
    public static boolean inPlace(DeploymentSpec spec, int currentCount, int oldCount) {
        return oldCount > 0 && spec.replicas() > 0 && currentCount + oldCount <= spec.replicas();
    }

    /** Room for one replica of {@code next} beside everything the store has placed on live nodes. */
    public static SurgeRoom surgeRoom(ControllerStore store) {
        return next -> ReplicaScheduler.place(
                List.of(new ReplicaRequest(next.name() + "-surge", spreadKey(next.name(), next.version()), next.cost())),
                view(store, null)).pending().isEmpty();
    }

    /** Live nodes and what is placed on them, except {@code excluded} (a replica thought away); null for none. */
    static ClusterView view(ControllerStore store, String excluded) {
        Set<String> live = new HashSet<>();
        List<NodeCapacity> nodes = new ArrayList<>();
        for (NodeStatus node : store.liveNodes()) {
            live.add(node.nodeId());
            nodes.add(NodeCapacity.of(node));
        }
        List<Allocation> allocations = new ArrayList<>();
        for (ReplicaAssignment a : store.assignments()) {
            if (a.isPlaced() && live.contains(a.node()) && !a.replicaId().equals(excluded)) {
                allocations.add(new Allocation(a.replicaId(), spreadKey(a.deployment(), a.version()), a.node(),
                        a.spec().cost(), a.device()));
            }
        }
        return new ClusterView(nodes, allocations);
    }

    /**
     * Replicas are spread per deployment version: old replicas that a rollout is about to remove must not
     * push new ones together onto the same nodes. They still take their resources.
     */
    static String spreadKey(String deployment, String version) {
        return deployment + "@" + version;
    }
}
