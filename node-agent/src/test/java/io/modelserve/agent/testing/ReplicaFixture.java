package io.modelserve.agent.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.agent.runtime.Job;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.agent.runtime.OpenedBackend;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.ReplicaMetrics;
import io.modelserve.agent.runtime.Ticker;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.AlgoBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts real {@link Replica}s over fake backends, and stops them all when the test ends (opening
 * any gate a test left closed, so no worker stays parked).
 */
public final class ReplicaFixture implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Replica> replicas = new ArrayList<>();
    private final List<ScriptedBackend> backends = new ArrayList<>();
    private final AtomicInteger resourcesClosed = new AtomicInteger();

    public ReplicaFixture(MeterRegistry registry) {
        this.registry = registry;
    }

    public ReplicaFixture() {
        this(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** How many times a replica released its {@link OpenedBackend#resources()} (the plugin classloader). */
    public int resourcesClosed() {
        return resourcesClosed.get();
    }

    /** A replica over {@code backend}, not yet started. */
    public Replica create(DeploymentSpec spec, String replicaId, AlgoBackend backend) {
        return create(spec, replicaId, assignment -> new OpenedBackend(backend, List.of(), resourcesClosed::incrementAndGet), backend);
    }

    public Replica create(DeploymentSpec spec, String replicaId, OpenedBackend.Opener opener, AlgoBackend backend) {
        return create(spec, replicaId, opener, backend, Ticker.SYSTEM);
    }

    /** A replica whose batch waits, health interval and watchdog run on {@code ticker}. */
    public Replica create(DeploymentSpec spec, String replicaId, AlgoBackend backend, Ticker ticker) {
        return create(spec, replicaId, assignment -> new OpenedBackend(backend, List.of(), resourcesClosed::incrementAndGet), backend, ticker);
    }

    public Replica create(DeploymentSpec spec, String replicaId, OpenedBackend.Opener opener, AlgoBackend backend, Ticker ticker) {
        Replica replica = new Replica(Specs.assignment(spec, replicaId), "node-test", 0, null, opener,
                new ReplicaMetrics(registry, spec.name(), replicaId),
                name -> { throw new UnsupportedOperationException("no deployment handles in this test"); },
                () -> { }, ticker);
        replicas.add(replica);
        if (backend instanceof ScriptedBackend scripted) {
            backends.add(scripted);
        }
        return replica;
    }

    /** Starts a replica and waits until it is RUNNING. */
    public Replica running(DeploymentSpec spec, String replicaId, AlgoBackend backend) {
        Replica replica = create(spec, replicaId, backend);
        replica.start();
        awaitPhase(replica, Replica.Phase.RUNNING);
        return replica;
    }

    public static void awaitPhase(Replica replica, Replica.Phase phase) {
        Await.until("replica " + replica.id() + " to be " + phase + " (is " + replica.phase() + ", last error "
                + replica.lastError() + ")", () -> replica.phase() == phase);
    }

    /** A request carrying {@code {"text": text}}. */
    public static JsonRequest text(String text) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("text", text);
        return new JsonRequest(params, null, "application/json");
    }

    /** Submits a job that must be accepted. */
    public static Job submitAccepted(Replica replica, String text) {
        Job job = Job.of(text(text));
        Replica.Admission admission = replica.submit(job);
        if (admission != Replica.Admission.ACCEPTED) {
            throw new AssertionError("replica " + replica.id() + " refused a job: " + admission);
        }
        return job;
    }

    @Override
    public void close() {
        backends.forEach(ScriptedBackend::releaseAll);
        replicas.forEach(Replica::drain);
    }
}
