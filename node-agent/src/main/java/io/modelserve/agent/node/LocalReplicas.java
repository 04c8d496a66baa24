package io.modelserve.agent.node;

import io.modelserve.agent.runtime.Replica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The routing snapshot of this node's own replicas: RUNNING ones by deployment, whether one is
 * starting, and each by id. Rebuilt whole after every loop pass and on every phase change a replica
 * reports (from its worker thread), so a replica takes requests the moment it is RUNNING.
 */
public final class LocalReplicas {
    private record Snapshot(Map<String, List<Replica>> running, Set<String> starting, Map<String, Replica> byId) {}

    private final Supplier<List<Replica>> source;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Set.of(), Map.of());

    /** @param source the loop's replica instances now */
    public LocalReplicas(Supplier<List<Replica>> source) {
        this.source = source;
    }

    public synchronized void refresh() {
        Map<String, List<Replica>> running = new HashMap<>();
        Map<String, Replica> byId = new HashMap<>();
        java.util.HashSet<String> starting = new java.util.HashSet<>();
        for (Replica replica : source.get()) {
            String deployment = replica.assignment().deployment();
            byId.put(replica.id(), replica);
            switch (replica.phase()) {
                case RUNNING -> running.computeIfAbsent(deployment, d -> new ArrayList<>()).add(replica);
                case STARTING -> starting.add(deployment);
                default -> { }
            }
        }
        running.replaceAll((d, list) -> List.copyOf(list));
        snapshot = new Snapshot(Map.copyOf(running), Set.copyOf(starting), Map.copyOf(byId));
    }

    public List<Replica> running(String deployment) {
        return snapshot.running().getOrDefault(deployment, List.of());
    }

    public boolean starting(String deployment) {
        return snapshot.starting().contains(deployment);
    }

    public Optional<Replica> byId(String replicaId) {
        return Optional.ofNullable(snapshot.byId().get(replicaId));
    }

    /** Deployments with a RUNNING replica here (their queued work is consumed here). */
    public Set<String> deploymentsRunning() {
        return snapshot.running().keySet();
    }

    /** Ids of this node's replicas, whatever their phase. */
    public Set<String> ids() {
        return snapshot.byId().keySet();
    }

    public int count() {
        return snapshot.byId().size();
    }
}
