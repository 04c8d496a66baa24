package io.modelserve.controller.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Reconciler} for every deployment on one thread: on a timer and whenever
 * {@link #trigger()} is called (apply, a replica changed, a node came or went). Triggers collapse:
 * many events while a pass runs mean one more pass, not many. A failing reconcile is logged, counted
 * and retried on the next pass; it never ends the loop. Each pass first makes the cluster match the
 * leader's {@link OwnedState} (what it applied and assigned), so an entry deleted or altered behind
 * its back is back within a pass.
 */
public final class ControllerLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerLoop.class);
    private static final long PERIOD_MS = 1_000;

    private final ControllerStore store;
    private final Clock clock;
    private final MeterRegistry meters;
    private final OwnedState owned;
    private final Timeline events;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("controller-loop").daemon(true).unstarted(r));
    private final AtomicBoolean triggered = new AtomicBoolean();
    private final Map<String, ReconcileOutcome> lastOutcomes = new ConcurrentHashMap<>();
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean active = true;
    private volatile java.util.function.BooleanSupplier fence = () -> true;

    /** @param events the timeline this loop adds to while it leads (the applier records applies in the same one) */
    public ControllerLoop(ControllerStore store, Clock clock, MeterRegistry meters, OwnedState owned,
            Timeline events) {
        this.store = store;
        this.clock = clock;
        this.meters = meters;
        this.owned = owned;
        this.events = events;
        this.autoscaler = new Autoscaler(clock);
    }

    public ControllerLoop start() {
        thread.scheduleWithFixedDelay(this::passSafely, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether this controller acts (the leader) or only watches (a standby). */
    public void setActive(boolean active) {
        // Either way the term ends: a new one adopts the cluster as it is then, never an old record of assignments.
        owned.standDown();
        events.standDown();
        this.active = active;
        if (active) {
            trigger();
        }
    }

    public boolean isActive() {
        return active;
    }

    /** Checked before every pass: a controller that no longer holds the leader lease does nothing. */
    public void setFence(java.util.function.BooleanSupplier fence) {
        this.fence = fence;
    }

    /** Asks for a pass soon. */
    public void trigger() {
        if (triggered.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    triggered.set(false);
                    passSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // A map listener firing while the head stops: there is no next pass to ask for.
            }
        }
    }

    /** The last outcome per deployment, for status. */
    public Map<String, ReconcileOutcome> lastOutcomes() {
        return Map.copyOf(lastOutcomes);
    }

    public long passes() {
        return passes.get();
    }

    private void passSafely() {
        if (!active || !fence.getAsBoolean()) {
            return;
        }
        try {
            pass();
        } catch (RuntimeException e) {
            log.warn("controller pass failed, retrying: {}", e.toString(), e);
            meters.counter("modelserve.controller.reconciles", "outcome", "failed").increment();
        }
    }

    /** Reconciles every deployment that is desired or still has assignments. */
    void pass() {
        owned.takeOver(store);
        for (OwnedState.Restoration restored : owned.restore(store)) {
            meters.counter("modelserve.controller.restored", "kind", restored.kind()).increment();
        }
        autoscale();
        SnapshotStore snapshot = new SnapshotStore(store);
        try {
            reconcileAll(snapshot);
        } finally {
            owned.recordAssignments(snapshot.assignments());
        }
        forgetLostNodes(snapshot);
        int restoredEvents = events.pass();
        if (restoredEvents > 0) {
            meters.counter("modelserve.controller.restored", "kind", "event").increment(restoredEvents);
        }
        passes.incrementAndGet();
    }

    private void reconcileAll(SnapshotStore snapshot) {
        Reconciler reconciler = new Reconciler(snapshot, clock, ControllerLoop::randomSuffix);
        TreeSet<String> names = new TreeSet<>();
        for (DeploymentSpec spec : snapshot.desired()) {
            names.add(spec.name());
        }
        for (ReplicaAssignment a : snapshot.assignments()) {
            names.add(a.deployment());
        }
        for (String name : names) {
            long started = System.nanoTime();
            ReconcileOutcome outcome;
            try {
                outcome = reconciler.reconcile(name);
            } catch (RuntimeException e) {
                log.warn("reconcile of {} failed: {}", name, e.toString(), e);
                outcome = new ReconcileOutcome.Failed(e.toString());
            }
            lastOutcomes.put(name, outcome);
            meters.counter("modelserve.controller.reconciles", "outcome", outcome.label()).increment();
            Timer.builder("modelserve.controller.reconcile.duration").register(meters)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        lastOutcomes.keySet().retainAll(names);
    }

    private final Autoscaler autoscaler;

    /** Decides replica counts of autoscaled deployments before the reconcile acts on them. */
    private void autoscale() {
        java.util.Collection<DeploymentSpec> declared = store.declared();
        if (declared.stream().noneMatch(DeploymentSpec::isAutoscaled)) {
            return;
        }
        Map<String, Integer> queued = new java.util.HashMap<>();
        for (DeploymentSpec spec : declared) {
            int waiting = spec.isAutoscaled() ? store.queuedWork(spec.name()) : 0;
            if (waiting > 0) {
                queued.put(spec.name(), waiting);
            }
        }
        Map<String, io.modelserve.cluster.AutoscaleDecision> before = store.autoscaleDecisions();
        for (io.modelserve.cluster.AutoscaleDecision decision : autoscaler.decide(declared, store.statuses(),
                before, store.demand(), queued)) {
            store.putAutoscaleDecision(decision);
            io.modelserve.cluster.AutoscaleDecision previous = before.get(decision.deployment());
            if (previous == null || previous.replicas() != decision.replicas()) {
                events.record(ClusterEvent.Kind.AUTOSCALE, java.util.List.of(decision.deployment()),
                        decision.deployment(), decision.deployment() + ": " + (previous == null ? "" : previous.replicas() + " -> ")
                                + decision.replicas() + " replicas (" + decision.reason() + ")");
            }
            log.info("autoscaler: {} -> {} replicas ({})", decision.deployment(), decision.replicas(), decision.reason());
            meters.counter("modelserve.autoscale.decisions", "deployment", decision.deployment()).increment();
            autoscaled.put(decision.deployment(), decision.replicas());
            io.micrometer.core.instrument.Gauge.builder("modelserve.autoscale.replicas", autoscaled,
                            m -> m.getOrDefault(decision.deployment(), 0))
                    .description("Replicas the autoscaler decided for a deployment")
                    .tag("deployment", decision.deployment()).register(meters);
        }
    }

    private final Map<String, Integer> autoscaled = new ConcurrentHashMap<>();

    /** deployment -> replicas the autoscaler decided last (also a gauge). */
    public Map<String, Integer> autoscaled() {
        return Map.copyOf(autoscaled);
    }

    /** Statuses left by nodes that are gone: their writer is dead, so the controller removes them. */
    private void forgetLostNodes(SnapshotStore snapshot) {
        java.util.Set<String> live = new java.util.HashSet<>();
        snapshot.liveNodes().forEach(n -> live.add(n.nodeId()));
        for (io.modelserve.cluster.ReplicaStatus status : snapshot.statuses()) {
            if (!live.contains(status.node())) {
                store.removeStatus(status.replicaId());
            }
        }
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[3];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
