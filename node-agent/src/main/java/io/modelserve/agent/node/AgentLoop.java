package io.modelserve.agent.node;

import io.modelserve.agent.runtime.ManagedReplica;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's level-based pass over its {@link AgentStore}, as {@code ControllerLoop} is the head's:
 * every pass re-reads this node's assignments and the desired specs, then starts what is missing,
 * reconfigures what changed, lets the watchdog replace hung replicas, restarts failed ones after the
 * {@link RestartPolicy}'s backoff, drains what is no longer assigned and forgets it once stopped, and
 * publishes statuses ({@link StatusPublisher}) and the node's own entry ({@link NodeAnnouncer}).
 * Events only make the next pass come sooner; a missed one does no harm.
 *
 * <p>All its state is owned by the thread that calls {@link #pass()} (the node's {@link LoopThread});
 * the slot table is concurrent only because routing reads the replicas from request threads.
 */
public final class AgentLoop<R extends ManagedReplica> {
    private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);

    private final String nodeId;
    private final AgentStore store;
    private final ReplicaFactory<R> factory;
    private final RestartPolicy policy;
    private final InstantSource clock;
    private final StatusPublisher statuses;
    private final NodeAnnouncer announcer;
    private final Map<String, ReplicaSlot<R>> slots = new ConcurrentHashMap<>();

    /** @param nodeEntry this node's entry, for its member id and the time now */
    public AgentLoop(String nodeId, AgentStore store, ReplicaFactory<R> factory, RestartPolicy policy,
            InstantSource clock, BiFunction<String, Long, NodeStatus> nodeEntry) {
        this.nodeId = nodeId;
        this.store = store;
        this.factory = factory;
        this.policy = policy;
        this.clock = clock;
        this.statuses = new StatusPublisher(store, nodeId, StatusPublisher.STATUS_REFRESH_MS);
        this.announcer = new NodeAnnouncer(store, nodeEntry);
    }

    public void pass() {
        long now = clock.millis();
        Map<String, DeploymentSpec> desired = store.desired();
        Map<String, ReplicaAssignment> mine = new HashMap<>();
        for (ReplicaAssignment assignment : store.assignments()) {
            mine.put(assignment.replicaId(), assignment);
        }
        for (ReplicaAssignment assignment : mine.values()) {
            ensureRunning(assignment, desired.get(assignment.deployment()), now);
        }
        for (Map.Entry<String, ReplicaSlot<R>> entry : new ArrayList<>(slots.entrySet())) {
            if (!mine.containsKey(entry.getKey())) {
                retire(entry.getKey(), entry.getValue());
            }
        }
        if (announcer.announce(now)) {
            statuses.republishAll();
        }
        for (ReplicaSlot<R> slot : slots.values()) {
            statuses.publish(slot.replica(), slot.restarts(), now);
        }
    }

    private void ensureRunning(ReplicaAssignment assignment, DeploymentSpec desired, long now) {
        ReplicaSlot<R> slot = slots.get(assignment.replicaId());
        if (slot == null) {
            R replica = factory.create(assignment, 0, null);
            slots.put(assignment.replicaId(), new ReplicaSlot<>(replica));
            replica.start();
            return;
        }
        R replica = slot.replica();
        switch (replica.phase()) {
            case FAILED -> {
                if (slot.retryAtMillis() == 0) {
                    long backoff = policy.backoffMillis(slot.restarts());
                    slot.scheduleRestart(now + backoff);
                    log.info("node {}: replica {} failed ({}); restarting in {} ms", nodeId, assignment.replicaId(),
                            replica.lastError(), backoff);
                } else if (now >= slot.retryAtMillis()) {
                    // A restart starts from the latest desired config, not the one at creation.
                    ReplicaAssignment current = desired == null ? assignment
                            : new ReplicaAssignment(assignment.replicaId(), assignment.spec().withLiveSettingsOf(desired),
                                    assignment.node(), assignment.device(), null, assignment.createdAtMillis());
                    R next = factory.create(current, slot.restarts() + 1, replica.lastError());
                    slot.restarted(next);
                    next.start();
                }
            }
            case RUNNING, STARTING -> {
                if (replica.abandonIfHung()) {
                    return;
                }
                if (desired != null && !desired.configDigest().equals(slot.requestedConfigDigest())) {
                    slot.requestedConfig(desired.configDigest());
                    replica.reconfigure(desired.config(), desired.configDigest());
                }
            }
            case DRAINING, STOPPED -> {
                // Assigned again after a drain began (should not happen: ids are never reused).
            }
        }
    }

    private void retire(String replicaId, ReplicaSlot<R> slot) {
        R replica = slot.replica();
        switch (replica.phase()) {
            case RUNNING, STARTING -> replica.drain();
            case STOPPED, FAILED -> {
                slots.remove(replicaId);
                statuses.remove(replicaId);
            }
            case DRAINING -> { }
        }
    }

    /** The replica instances of this node now, whatever their phase (any thread). */
    public List<R> replicas() {
        List<R> replicas = new ArrayList<>(slots.size());
        for (ReplicaSlot<R> slot : slots.values()) {
            replicas.add(slot.replica());
        }
        return replicas;
    }

    /** Drains every replica (on closing the node); call on the loop thread. */
    public void drainAll() {
        for (ReplicaSlot<R> slot : slots.values()) {
            slot.replica().drain();
        }
    }

    /** Whether a replica is still starting, serving or draining. */
    public boolean anyAlive() {
        for (R replica : replicas()) {
            if (replica.phase() != Replica.Phase.STOPPED && replica.phase() != Replica.Phase.FAILED) {
                return true;
            }
        }
        return false;
    }

    /** Removes what this node published (its statuses and its own entry), as it leaves. */
    public void unpublish() {
        for (String id : new ArrayList<>(slots.keySet())) {
            statuses.remove(id);
        }
        store.removeNode(nodeId);
    }

    /** Status writes so far. */
    public long statusWrites() {
        return statuses.writes();
    }

    /** Replica ids of this node and their restarts, for status and tests. */
    public Map<String, Integer> restarts() {
        Map<String, Integer> restarts = new HashMap<>();
        slots.forEach((id, slot) -> restarts.put(id, slot.restarts()));
        return restarts;
    }
}
