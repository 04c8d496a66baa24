package io.modelserve.agent.runtime;

import static io.modelserve.agent.testing.ReplicaFixture.awaitPhase;
import static io.modelserve.agent.testing.ReplicaFixture.submitAccepted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ManualTicker;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hung calls, init() included, on a manual ticker; and meters that belong to one replica instance. */
class ReplicaWatchdogTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplicaFixture fixture = new ReplicaFixture(registry);
    private final ManualTicker ticker = new ManualTicker();

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    @Test
    void aHungInitIsCaughtAndTheReasonNamesIt() {
        Gate init = new Gate();
        ScriptedBackend backend = ScriptedBackend.upperCase().onInit(context -> init.pass());
        Replica replica = fixture.create(Specs.deployment("echo").build(), "echo-1", backend, ticker);
        replica.start();
        init.awaitEntered();
        assertThat(replica.busyForNanos()).isPositive();
        ticker.advanceMillis(Watchdog.INIT_LIMIT_MS);
        assertThat(replica.abandonIfHung()).isFalse();

        ticker.advanceMillis(1);

        assertThat(replica.abandonIfHung()).isTrue();
        assertThat(replica.phase()).isEqualTo(Replica.Phase.FAILED);
        assertThat(replica.lastError()).startsWith("init() did not return within 300000 ms");
        // The abandoned init returns (here: interrupted at its gate and throws); the cause stays the hang.
        init.open();
        Await.until("the abandoned backend to be closed", () -> backend.count("close") == 1);
        assertThat(replica.lastError()).startsWith("init() did not return within 300000 ms").doesNotContain("interrupted");
        assertThat(replica.abandonIfHung()).isFalse();
    }

    @Test
    void aHungCallIsAbandonedItsQueueHandedBackAndTheReasonNamesTheCall() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        DeploymentSpec spec = Specs.deployment("echo").timeoutMs(1_000).build();
        Replica replica = fixture.create(spec, "echo-1", backend, ticker);
        replica.start();
        awaitPhase(replica, Replica.Phase.RUNNING);
        Gate busy = backend.holdNextCall();
        Job stuck = submitAccepted(replica, "a");
        busy.awaitEntered();
        Job queued = submitAccepted(replica, "b");
        ticker.advanceMillis(5_001);

        assertThat(replica.abandonIfHung()).isTrue();

        assertThat(replica.lastError()).isEqualTo("inference() did not return within 5000 ms (twice timeout_ms, at least 5 s); "
                + "replaced, its queued requests went to other replicas");
        assertThatThrownBy(() -> queued.result().get(30, TimeUnit.SECONDS)).cause().isInstanceOf(ReplicaGoneException.class);
        busy.open(); // the interrupted call returns, failing its (long gone) caller; the cause stays the hang
        Await.until("the stuck call to return", () -> stuck.result().isDone());
        Await.until("the abandoned backend to be closed", () -> backend.count("close") == 1);
        assertThat(replica.lastError()).startsWith("inference() did not return");
    }

    @Test
    void anAbandonedWorkerClosingLateLeavesItsSuccessorsMetersAlone() throws Exception {
        // A restart keeps the replica id; the old worker, stuck in the plugin, closes whenever it returns.
        ScriptedBackend stuckBackend = ScriptedBackend.upperCase()
                .onInit(context -> context.metrics().counter("algo.tokens").increment());
        DeploymentSpec spec = Specs.deployment("echo").timeoutMs(1_000).build();
        Replica old = fixture.create(spec, "echo-1", stuckBackend, ticker);
        old.start();
        awaitPhase(old, Replica.Phase.RUNNING);
        Gate busy = stuckBackend.holdNextCall();
        Job stuck = submitAccepted(old, "a");
        busy.awaitEntered();
        ticker.advanceMillis(10_001);
        assertThat(old.abandonIfHung()).isTrue();

        ScriptedBackend nextBackend = ScriptedBackend.upperCase()
                .onInit(context -> context.metrics().counter("algo.tokens").increment(5));
        Replica next = fixture.create(spec, "echo-1", nextBackend, ticker);
        next.start();
        awaitPhase(next, Replica.Phase.RUNNING);
        assertThat(next.instanceId()).isNotEqualTo(old.instanceId());

        busy.open();
        Await.until("the old worker to close", () -> stuckBackend.count("close") == 1);

        assertThat(registry.find("algo.tokens").tags("replica", "echo-1", "instance", next.instanceId()).counter())
                .as("the successor's meter survives the old worker's close()").isNotNull()
                .extracting(c -> c.count()).isEqualTo(5.0);
        assertThat(registry.find("algo.tokens").tags("instance", old.instanceId()).meters()).isEmpty();
        assertThat(registry.find("modelserve.replica.queue.depth").tags("instance", next.instanceId()).gauge()).isNotNull();
    }

    @Test
    void aLoneRequestAtAnIdleReplicaDoesNotWaitForBatchWaitMs() throws Exception {
        // batch_wait_ms of ten minutes: a request that waited for company would miss the 30 s get below.
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("embed").batching(8, 600_000).build(), "embed-1", backend);

        for (String text : new String[] {"a", "b", "c"}) {
            assertThat(submitAccepted(replica, text).result().get(30, TimeUnit.SECONDS)).isEqualTo(text.toUpperCase());
        }
        assertThat(backend.batchSizes()).containsExactly(1, 1, 1);
    }

    @Test
    void requestsQueuedWhileBusyRunAsFullBatchesWithoutWaiting() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("embed").batching(3, 600_000).maxQueued(16).build(), "embed-1", backend);
        Gate busy = backend.holdNextCall();
        Job first = submitAccepted(replica, "first");
        busy.awaitEntered();
        Job[] queued = new Job[6];
        for (int i = 0; i < queued.length; i++) {
            queued[i] = submitAccepted(replica, "q" + i);
        }

        busy.open();

        for (Job job : queued) {
            job.result().get(30, TimeUnit.SECONDS);
        }
        first.result().get(30, TimeUnit.SECONDS);
        assertThat(backend.batchSizes()).containsExactly(1, 3, 3);
    }
}
