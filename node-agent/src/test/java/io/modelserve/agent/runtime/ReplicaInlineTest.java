package io.modelserve.agent.runtime;

import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller that finds its replica idle runs its own request on its own thread; what queues up
 * meanwhile goes to the worker, batched; the plugin is never called by two threads at once; and a
 * call still running at its deadline has its caller answered by the worker (the {@link Rescue}).
 */
class ReplicaInlineTest {
    private static final long FAR = Long.MAX_VALUE / 2;
    private final ReplicaFixture fixture = new ReplicaFixture();

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    private static Job inline(String text, Rescue rescue, long deadlineNanos) {
        return Job.inline(text(text), rescue, deadlineNanos);
    }

    @Test
    void aLoneRequestAtAnIdleReplicaRunsOnTheCallersThreadAndIsDoneWhenSubmitReturns() throws Exception {
        AtomicInteger threadsSeen = new AtomicInteger();
        Thread caller = Thread.currentThread();
        ScriptedBackend backend = new ScriptedBackend(request -> {
            if (Thread.currentThread() == caller) {
                threadsSeen.incrementAndGet();
            }
            return request.params().path("text").asText().toUpperCase();
        });
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);

        Job job = inline("hello", Rescue.NONE, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));

        assertThat(replica.submit(job)).isEqualTo(Replica.Admission.ACCEPTED);
        assertThat(job.result()).isCompletedWithValue("HELLO");
        assertThat(threadsSeen.get()).isEqualTo(1);
        assertThat(replica.ongoing()).isZero();
        assertThat(Thread.currentThread().getContextClassLoader()).as("the caller's own loader is back").isNotNull();
    }

    @Test
    void whatQueuesWhileACallerHoldsTheTurnIsBatchedByTheWorkerAndNoTwoCallsOverlap() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ScriptedBackend backend = new ScriptedBackend(request -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                return request.params().path("text").asText() + "!";
            } finally {
                inside.decrementAndGet();
            }
        });
        Replica replica = fixture.running(Specs.deployment("embed").batching(4, 5).build(), "embed-1", backend);
        Gate busy = backend.holdNextCall();
        Job first = inline("first", Rescue.NONE, FAR);
        CompletableFuture<Replica.Admission> running = CompletableFuture.supplyAsync(() -> replica.submit(first));
        busy.awaitEntered();

        // The replica is busy with a caller's own call: these are queued, not run by their callers.
        List<Job> queued = List.of(inline("a", Rescue.NONE, FAR), inline("b", Rescue.NONE, FAR), inline("c", Rescue.NONE, FAR));
        for (Job job : queued) {
            assertThat(replica.submit(job)).isEqualTo(Replica.Admission.ACCEPTED);
            assertThat(job.result()).isNotDone();
        }
        busy.open();

        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(Replica.Admission.ACCEPTED);
        assertThat(first.result().get(30, TimeUnit.SECONDS)).isEqualTo("first!");
        for (Job job : queued) {
            assertThat(job.result().get(30, TimeUnit.SECONDS)).isEqualTo(job.request().params().path("text").asText() + "!");
        }
        assertThat(backend.batchSizes()).as("the caller's lone call, then one batch of what queued").containsExactly(1, 3);
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aCallStillRunningAtItsDeadlineHasItsCallerAnsweredByTheWorkerOnce() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("slow").build(), "slow-1", backend);
        Gate slow = backend.holdNextCall();
        AtomicInteger rescued = new AtomicInteger();
        Job late = inline("late", rescued::incrementAndGet, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        CompletableFuture<Replica.Admission> running = CompletableFuture.supplyAsync(() -> replica.submit(late));
        slow.awaitEntered();

        Await.until("the worker to answer the stuck caller", () -> rescued.get() == 1);
        assertThatThrownBy(() -> late.result().get()).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class);
        slow.open();

        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(Replica.Admission.ACCEPTED);
        assertThat(rescued.get()).as("once, and the late result is dropped").isEqualTo(1);
        assertThat(replica.phase()).isEqualTo(Replica.Phase.RUNNING);
        Job next = inline("next", Rescue.NONE, FAR);
        assertThat(replica.submit(next)).isEqualTo(Replica.Admission.ACCEPTED);
        assertThat(next.result()).isCompletedWithValue("NEXT");
    }

    @Test
    void aJobWithoutARescueIsNeverRunOnItsCallersThread() throws Exception {
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        ScriptedBackend backend = new ScriptedBackend(request -> {
            if (Thread.currentThread() == caller) {
                onCaller.incrementAndGet();
            }
            return "ok";
        });
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);

        Job job = Job.of(text("queued"));
        assertThat(replica.submit(job)).isEqualTo(Replica.Admission.ACCEPTED);

        assertThat(job.result().get(30, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(onCaller.get()).isZero();
    }

    @Test
    void aHungInlineCallIsAbandonedLikeAHungWorkerAndItsCallerIsInterrupted() throws Exception {
        io.modelserve.agent.testing.ManualTicker ticker = new io.modelserve.agent.testing.ManualTicker();
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.create(Specs.deployment("hangs").timeoutMs(1_000).build(), "hangs-1", backend, ticker);
        replica.start();
        ReplicaFixture.awaitPhase(replica, Replica.Phase.RUNNING);
        Gate hang = backend.holdNextCall();
        Job job = inline("stuck", Rescue.NONE, FAR);
        CompletableFuture<Replica.Admission> running = CompletableFuture.supplyAsync(() -> replica.submit(job));
        hang.awaitEntered();

        ticker.advanceMillis(5_001);

        assertThat(replica.abandonIfHung()).isTrue();
        assertThat(replica.lastError()).contains("inference() did not return within 5000 ms");
        // The gate saw the interrupt: the caller's thread was told, as the worker would have been.
        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(Replica.Admission.ACCEPTED);
        ReplicaFixture.awaitPhase(replica, Replica.Phase.FAILED);
        hang.open();
    }

    @Test
    void queueWaitAndComputeAreTimedPerRequestAndGoWithTheReplica() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("timed").build(), "timed-1", backend);
        Gate busy = backend.holdNextCall();
        Job first = inline("first", Rescue.NONE, FAR);
        CompletableFuture<Replica.Admission> running = CompletableFuture.supplyAsync(() -> replica.submit(first));
        busy.awaitEntered();
        Job queued = inline("queued", Rescue.NONE, FAR);
        assertThat(replica.submit(queued)).isEqualTo(Replica.Admission.ACCEPTED);
        busy.open();
        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(Replica.Admission.ACCEPTED);
        assertThat(queued.result().get(30, TimeUnit.SECONDS)).isEqualTo("QUEUED");

        io.micrometer.core.instrument.Timer wait = fixture.registry().find("modelserve.replica.queue.wait").tag("replica", "timed-1").timer();
        io.micrometer.core.instrument.Timer compute = fixture.registry().find("modelserve.replica.compute").tag("replica", "timed-1").timer();
        Await.until("both requests timed", () -> wait.count() == 2 && compute.count() == 2);
        // The queued request waited while the first, which found the replica idle, was held in the plugin.
        assertThat(wait.max(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(compute.max(TimeUnit.NANOSECONDS)).isPositive();

        replica.drain();
        ReplicaFixture.awaitPhase(replica, Replica.Phase.STOPPED);
        assertThat(fixture.registry().find("modelserve.replica.queue.wait").tag("replica", "timed-1").timer()).isNull();
        assertThat(fixture.registry().find("modelserve.replica.compute").tag("replica", "timed-1").timer()).isNull();
    }
}
