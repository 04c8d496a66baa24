package io.modelserve.agent.node;

import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.cluster.ServeSettings;
import io.modelserve.cluster.StateMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link AgentStore} over the Hazelcast maps. It keeps its own copy of this node's assignments
 * and of the desired specs, fed by entry events that carry their values: an assignment of another
 * node costs one event and is dropped, and a pass reads memory, never the whole assignment map.
 * {@code onChange} is told only of what concerns this node (its assignments, the specs, the applied
 * settings), so statuses written anywhere never wake its loop.
 *
 * <p>The copy is loaded whole at start and again when the member identity changed (a healed split
 * may have merged entries without events). A load that raced with an event is retried at the next
 * read rather than applied, so it never puts back what an event just removed.
 */
public final class HazelcastAgentStore implements AgentStore, AutoCloseable {
    private final ClusterState state;
    private final String nodeId;
    private final Runnable onChange;
    private final Map<String, ReplicaAssignment> mine = new ConcurrentHashMap<>();
    private final Map<String, DeploymentSpec> desired = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();
    private final List<Runnable> unsubscribe = new ArrayList<>();
    private volatile long maxBodyBytes = ServeSettings.DEFAULT_MAX_BODY_BYTES;
    private volatile ServeSettings.MemoryLimits memory = ServeSettings.MemoryLimits.DEFAULTS;
    private volatile ServeSettings.Telemetry telemetry = ServeSettings.Telemetry.DEFAULTS;
    private volatile boolean needsResync;
    private volatile String member = "";

    public HazelcastAgentStore(ClusterState state, String nodeId, Runnable onChange) {
        this.state = state;
        this.nodeId = nodeId;
        this.onChange = onChange;
    }

    /** Subscribes to the maps, then loads them. */
    public HazelcastAgentStore start() {
        subscribe(state.assignments(), this::assignmentChanged);
        subscribe(state.deployments(), this::deploymentChanged);
        subscribe(state.applied(), (key, applied) -> {
            synchronized (this) {
                events.incrementAndGet();
                applied.ifPresent(a -> {
                    maxBodyBytes = a.settings().maxBodyBytes();
                    memory = a.settings().memory();
                    telemetry = a.settings().telemetry();
                });
            }
            onChange.run();
        });
        needsResync = true;
        resyncIfNeeded();
        return this;
    }

    /** Loads the copy if it is due (at start, after the member identity changed, or after a load that raced). */
    private void resyncIfNeeded() {
        if (needsResync && resync()) {
            needsResync = false;
        }
    }

    private <V> void subscribe(StateMap<V> map, java.util.function.BiConsumer<String, Optional<V>> listener) {
        UUID id = map.onEntry(listener);
        unsubscribe.add(() -> map.removeListener(id));
    }

    private void assignmentChanged(String replicaId, Optional<ReplicaAssignment> assignment) {
        synchronized (this) {
            events.incrementAndGet();
            if (assignment.isPresent() && nodeId.equals(assignment.get().node())) {
                mine.put(replicaId, assignment.get());
            } else if (mine.remove(replicaId) == null) {
                return; // another node's
            }
        }
        onChange.run();
    }

    private void deploymentChanged(String name, Optional<DeploymentSpec> spec) {
        synchronized (this) {
            events.incrementAndGet();
            if (spec.isPresent()) {
                desired.put(name, spec.get());
            } else {
                desired.remove(name);
            }
        }
        onChange.run();
    }

    /**
     * Reloads the copy from the maps (a full read: at start and after a split healed, not per event).
     * Returns false, changing nothing, if an event arrived meanwhile (events are applied under this
     * object's lock, so one applied after the check is newer and stays).
     */
    boolean resync() {
        long before = events.get();
        Map<String, ReplicaAssignment> assigned = new java.util.HashMap<>();
        state.assignments().entries().forEach((id, a) -> {
            if (nodeId.equals(a.node())) {
                assigned.put(id, a);
            }
        });
        Map<String, DeploymentSpec> specs = state.deployments().entries();
        Optional<ServeSettings> settings = state.applied().get("current").map(a -> a.settings());
        synchronized (this) {
            if (events.get() != before) {
                return false;
            }
            mine.keySet().retainAll(assigned.keySet());
            mine.putAll(assigned);
            desired.keySet().retainAll(specs.keySet());
            desired.putAll(specs);
            settings.ifPresent(s -> {
                maxBodyBytes = s.maxBodyBytes();
                memory = s.memory();
                telemetry = s.telemetry();
            });
        }
        onChange.run();
        return true;
    }

    @Override
    public Map<String, DeploymentSpec> desired() {
        resyncIfNeeded();
        return Map.copyOf(desired);
    }

    @Override
    public Collection<ReplicaAssignment> assignments() {
        resyncIfNeeded();
        return List.copyOf(mine.values());
    }

    /** The applied conf.ini's {@code max_body_bytes}. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The applied conf.ini's memory limits ({@code max_inflight_bytes}, {@code queue_*}). */
    public ServeSettings.MemoryLimits memory() {
        return memory;
    }

    /** The applied conf.ini's access log and latency buckets. */
    public ServeSettings.Telemetry telemetry() {
        return telemetry;
    }

    @Override
    public void putStatus(ReplicaStatus status) {
        state.replicas().put(status.replicaId(), status);
    }

    @Override
    public void removeStatus(String replicaId) {
        state.replicas().remove(replicaId);
    }

    @Override
    public String memberId() {
        String now = state.hazelcast().getCluster().getLocalMember().getUuid().toString();
        if (!now.equals(member)) {
            needsResync = !member.isEmpty() || needsResync;
            member = now;
        }
        return now;
    }

    @Override
    public void putNode(NodeStatus node) {
        state.nodes().put(node.nodeId(), node);
    }

    @Override
    public void removeNode(String nodeId) {
        state.nodes().remove(nodeId);
    }

    /** Removes every listener this store registered, each from its own map. */
    @Override
    public void close() {
        for (Runnable remove : unsubscribe) {
            try {
                remove.run();
            } catch (RuntimeException ignored) {
                // The member is gone already; its listeners went with it.
            }
        }
        unsubscribe.clear();
    }
}
