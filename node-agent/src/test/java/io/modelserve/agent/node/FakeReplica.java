package io.modelserve.agent.node;

import io.modelserve.agent.runtime.ManagedReplica;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.cluster.ReplicaAssignment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A replica whose phase, load and hang the test sets; records what the loop asked of it. No threads. */
final class FakeReplica implements ManagedReplica {
    final ReplicaAssignment assignment;
    final int restarts;
    final String previousError;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> reconfigurations = new CopyOnWriteArrayList<>();
    volatile Replica.Phase phase = Replica.Phase.STARTING;
    volatile String lastError;
    volatile int ongoing;
    volatile boolean hung;

    FakeReplica(ReplicaAssignment assignment, int restarts, String previousError) {
        this.assignment = assignment;
        this.restarts = restarts;
        this.previousError = previousError;
        this.lastError = previousError;
    }

    FakeReplica running() {
        phase = Replica.Phase.RUNNING;
        return this;
    }

    FakeReplica failed(String error) {
        phase = Replica.Phase.FAILED;
        lastError = error;
        return this;
    }

    @Override
    public String id() {
        return assignment.replicaId();
    }

    @Override
    public ReplicaAssignment assignment() {
        return assignment;
    }

    @Override
    public Replica.Phase phase() {
        return phase;
    }

    @Override
    public void start() {
        calls.add("start");
    }

    @Override
    public void reconfigure(Map<String, String> config, String digest) {
        calls.add("reconfigure");
        reconfigurations.add(config);
    }

    @Override
    public void drain() {
        calls.add("drain");
        if (phase == Replica.Phase.RUNNING || phase == Replica.Phase.STARTING) {
            phase = Replica.Phase.DRAINING;
        }
    }

    @Override
    public boolean abandonIfHung() {
        if (!hung) {
            return false;
        }
        calls.add("abandon");
        failed("inference() did not return within 5000 ms");
        return true;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    @Override
    public String appliedConfigDigest() {
        return assignment.spec().configDigest();
    }

    @Override
    public int ongoing() {
        return ongoing;
    }

    @Override
    public long createdAtMillis() {
        return assignment.createdAtMillis();
    }
}
