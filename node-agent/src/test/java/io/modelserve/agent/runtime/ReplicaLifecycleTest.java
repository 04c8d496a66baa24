package io.modelserve.agent.runtime;

import static io.modelserve.agent.testing.ReplicaFixture.awaitPhase;
import static io.modelserve.agent.testing.ReplicaFixture.submitAccepted;
import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A replica's phases: start, fail, reconfigure in place, health, drain; and the one-thread promise to plugins. */
class ReplicaLifecycleTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplicaFixture fixture = new ReplicaFixture(registry);

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    @Test
    void initSucceedsThenRunningWithTheSpecsContext() {
        DeploymentSpec spec = Specs.deployment("echo").config(Map.of("threshold", "0.5")).build();
        ScriptedBackend backend = ScriptedBackend.upperCase();

        Replica replica = fixture.running(spec, "echo-1", backend);

        assertThat(backend.context().deployment()).isEqualTo("echo");
        assertThat(backend.context().replicaId()).isEqualTo("echo-1");
        assertThat(backend.context().config()).containsEntry("threshold", "0.5");
        assertThat(replica.appliedConfigDigest()).isEqualTo(spec.configDigest());
        assertThat(replica.lastError()).isNull();
    }

    @Test
    void initThrowingFailsTheReplicaWithTheMessageAndClosesIt() {
        ScriptedBackend backend = ScriptedBackend.upperCase().failInit(new IOException("model.onnx is truncated"));
        Replica replica = fixture.create(Specs.deployment("echo").build(), "echo-1", backend);

        replica.start();
        awaitPhase(replica, Replica.Phase.FAILED);

        // What `modelserve status` shows: the plugin's own words, not a stack trace.
        assertThat(replica.lastError()).isEqualTo("init failed: model.onnx is truncated");
        assertThat(replica.submit(Job.of(text("x")))).isEqualTo(Replica.Admission.NOT_READY);
        // A half-initialised plugin may hold native memory: it is closed, and its classloader released.
        Await.until("close() after a failed init", () -> backend.count("close") == 1 && fixture.resourcesClosed() == 1);
    }

    @Test
    void openerThrowingFailsTheReplicaWithoutCallingThePlugin() {
        Replica replica = fixture.create(Specs.deployment("echo").build(), "echo-1",
                assignment -> { throw new IOException("artifact AlgoExample.jar is not available on this node"); }, null);

        replica.start();
        awaitPhase(replica, Replica.Phase.FAILED);

        assertThat(replica.lastError()).isEqualTo("init failed: artifact AlgoExample.jar is not available on this node");
    }

    @Test
    void reconfigureReachesThePluginWithoutARestart() {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("echo").config(Map.of("threshold", "0.5")).build(), "echo-1", backend);

        replica.reconfigure(Map.of("threshold", "0.9"), "digest-2");

        Await.until("the new config to be applied", () -> replica.appliedConfigDigest().equals("digest-2"));
        assertThat(backend.reconfigurations()).containsExactly(Map.of("threshold", "0.9"));
        assertThat(backend.count("init")).isEqualTo(1);
        assertThat(replica.phase()).isEqualTo(Replica.Phase.RUNNING);
    }

    @Test
    void reconfigureWithTheAppliedDigestIsNotRepeated() throws Exception {
        DeploymentSpec spec = Specs.deployment("echo").config(Map.of("threshold", "0.5")).build();
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(spec, "echo-1", backend);

        // The node re-sends the current config on every reconcile; the plugin must not see it again.
        replica.reconfigure(spec.config(), spec.configDigest());
        replica.reconfigure(Map.of("threshold", "0.7"), "digest-2");
        Await.until("the second config to be applied", () -> replica.appliedConfigDigest().equals("digest-2"));

        assertThat(backend.reconfigurations()).containsExactly(Map.of("threshold", "0.7"));
    }

    @Test
    void failedReconfigureKeepsServingAndSaysWhy() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase().failReconfigure(new IllegalArgumentException("threshold must be < 1"));
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);

        replica.reconfigure(Map.of("threshold", "7"), "digest-bad");
        Await.until("the bad config to be reported", () -> replica.lastError() != null);

        assertThat(replica.lastError()).isEqualTo("reconfigure failed, previous configuration kept: threshold must be < 1");
        assertThat(replica.phase()).isEqualTo(Replica.Phase.RUNNING);
        assertThat(submitAccepted(replica, "still here").result().get(30, TimeUnit.SECONDS)).isEqualTo("STILL HERE");
    }

    @Test
    void unhealthyReplicaFailsAndHandsQueuedJobsBack() {
        // healthy() is polled every two seconds between requests; holding that call at a gate lets the
        // test queue work behind it and then answer "unhealthy", with no timing involved.
        Gate healthCheck = new Gate();
        ScriptedBackend backend = ScriptedBackend.upperCase().health(() -> {
            healthCheck.pass();
            return false;
        });
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);
        healthCheck.awaitEntered();
        Job first = submitAccepted(replica, "a");
        Job second = submitAccepted(replica, "b");

        healthCheck.open();
        awaitPhase(replica, Replica.Phase.FAILED);

        assertThat(replica.lastError()).isEqualTo("healthy() returned false");
        // ReplicaGoneException tells the router the plugin never saw these jobs, so they may be retried.
        for (Job job : List.of(first, second)) {
            assertThatThrownBy(() -> job.result().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ReplicaGoneException.class).hasMessageContaining("echo-1");
        }
        assertThat(backend.count("inference")).isZero();
        Await.until("close() of the unhealthy replica", () -> backend.count("close") == 1);
        assertThat(replica.ongoing()).isZero();
    }

    @Test
    void drainFinishesQueuedWorkThenStopsAndCloses() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);
        Gate busy = backend.holdNextCall();
        Job running = submitAccepted(replica, "a");
        busy.awaitEntered();
        Job queued1 = submitAccepted(replica, "b");
        Job queued2 = submitAccepted(replica, "c");

        replica.drain();

        assertThat(replica.phase()).isEqualTo(Replica.Phase.DRAINING);
        assertThat(replica.submit(Job.of(text("late")))).isEqualTo(Replica.Admission.NOT_READY);
        busy.open();
        assertThat(running.result().get(30, TimeUnit.SECONDS)).isEqualTo("A");
        assertThat(queued1.result().get(30, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(queued2.result().get(30, TimeUnit.SECONDS)).isEqualTo("C");
        awaitPhase(replica, Replica.Phase.STOPPED);
        assertThat(backend.calls()).containsExactly("init", "inference", "inference", "inference", "close");
        assertThat(fixture.resourcesClosed()).isEqualTo(1);
    }

    @Test
    void drainWhileStartingStopsWithoutServing() {
        // The opener (artifact fetch, classloading) can take long; a replica scaled away meanwhile must
        // still stop once it is ready, not start serving.
        Gate opening = new Gate();
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.create(Specs.deployment("echo").build(), "echo-1", assignment -> {
            opening.pass();
            return new OpenedBackend(backend, List.of(), () -> { });
        }, backend);
        replica.start();
        opening.awaitEntered();

        replica.drain();
        opening.open();

        awaitPhase(replica, Replica.Phase.STOPPED);
        assertThat(backend.calls()).containsExactly("init", "close");
    }

    @Test
    void everyPluginCallRunsOnTheReplicasOwnThread() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);

        submitAccepted(replica, "a").result().get(30, TimeUnit.SECONDS);
        replica.reconfigure(Map.of("k", "v"), "digest-2");
        Await.until("a health poll", () -> backend.count("healthy") > 0 && backend.count("reconfigure") > 0);
        replica.drain();
        awaitPhase(replica, Replica.Phase.STOPPED);

        assertThat(backend.calls()).contains("init", "inference", "reconfigure", "healthy", "close");
        assertThat(backend.threadIds()).hasSize(1).doesNotContain(Thread.currentThread().threadId());
    }

    @Test
    void pluginMetersAreTaggedAndRemovedWhenTheReplicaStops() {
        ScriptedBackend backend = ScriptedBackend.upperCase()
                .onInit(context -> context.metrics().counter("algo.tokens").increment(3));
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);

        assertThat(registry.find("algo.tokens").tags("deployment", "echo", "replica", "echo-1").counter())
                .isNotNull().extracting(c -> c.count()).isEqualTo(3.0);

        replica.drain();
        awaitPhase(replica, Replica.Phase.STOPPED);

        // A node replaces replicas for days: dead series must not pile up in its registry.
        assertThat(registry.find("algo.tokens").meters()).isEmpty();
        assertThat(registry.find("modelserve.batch.size").meters()).isEmpty();
    }
}
