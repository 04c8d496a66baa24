package io.modelserve.agent.routing;

import static io.modelserve.agent.testing.ReplicaFixture.submitAccepted;
import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.runtime.Job;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's promises: a request the plugin never saw is retried on another replica; every other
 * end is one explicit outcome (200 result, 503 with a reason, 504, 500 with the plugin's message).
 */
class ReplicaRouterTest {
    private final ReplicaFixture fixture = new ReplicaFixture();
    private final ScriptedDirectory directory = new ScriptedDirectory();
    private final ReplicaRouter router = new ReplicaRouter(directory);

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    @Test
    void servesFromARunningReplica() {
        DeploymentSpec spec = Specs.deployment("echo").build();
        Replica replica = fixture.running(spec, "echo-1", ScriptedBackend.upperCase());
        directory.answer("echo", List.of(replica));

        Outcome outcome = router.dispatch(spec, text("hi"));

        assertThat(outcome).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "echo-1"));
        // What the access log reports: the replica's queue wait and compute for this request.
        io.modelserve.agent.runtime.RunTiming timing = ((Outcome.Served) outcome).timing();
        assertThat(timing.known()).isTrue();
        assertThat(io.modelserve.agent.runtime.RunTiming.parse(timing.header())).isEqualTo(timing);
        assertThat(io.modelserve.agent.runtime.RunTiming.parse("x,1")).isEqualTo(io.modelserve.agent.runtime.RunTiming.UNKNOWN);
    }

    @Test
    void aPluginsInvalidRequestIsItsAnswerWithItsStatusNotA500AndRunsOnce() {
        DeploymentSpec spec = Specs.deployment("strict").build();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedBackend strict = new ScriptedBackend(request -> {
            runs.incrementAndGet();
            throw request.params().has("teapot") ? new io.modelserve.sdk.InvalidRequestException(418, "no coffee")
                    : new io.modelserve.sdk.InvalidRequestException("input 'text' is missing");
        });
        directory.answer("strict", List.of(fixture.running(spec, "strict-1", strict), fixture.running(spec, "strict-2", strict)));

        Outcome bad = router.dispatch(spec, text("hi"));
        Outcome teapot = router.dispatch(spec, new io.modelserve.agent.runtime.JsonRequest(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("teapot", true), null, null));

        assertAnsweredBy(bad, 400, "input 'text' is missing", "strict-");
        assertAnsweredBy(teapot, 418, "no coffee", "strict-");
        assertThat(runs.get()).isEqualTo(2); // not a refusal to run: never tried on the other replica
    }

    @Test
    void aPluginsResponseIsServedAsItIs() {
        DeploymentSpec spec = Specs.deployment("shaped").build();
        io.modelserve.sdk.Response png = io.modelserve.sdk.Response.bytes(new byte[] {1, 2}, "image/png").withHeader("X-A", "1");
        directory.answer("shaped", List.of(fixture.running(spec, "shaped-1", new ScriptedBackend(request -> png))));

        Outcome outcome = router.dispatch(spec, text("hi"));

        assertThat(outcome).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served(png, "shaped-1"));
    }

    @Test
    void replicaNotReadyIsSkippedForAnother() {
        DeploymentSpec spec = Specs.deployment("echo").build();
        Replica notStarted = fixture.create(spec, "echo-1", ScriptedBackend.upperCase());
        Replica ready = fixture.running(spec, "echo-2", ScriptedBackend.upperCase());
        // First ask: only the stale one, so the router must try it, be refused, and ask again.
        directory.answer("echo", List.of(notStarted), List.of(notStarted, ready));

        assertThat(router.dispatch(spec, text("hi"))).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "echo-2"));
    }

    @Test
    void fullReplicaIsSkippedForAnother() {
        DeploymentSpec spec = Specs.deployment("echo").maxQueued(1).build();
        ScriptedBackend busyBackend = ScriptedBackend.upperCase();
        Replica full = fixture.running(spec, "echo-1", busyBackend);
        Replica free = fixture.running(spec, "echo-2", ScriptedBackend.upperCase());
        fill(full, busyBackend);
        directory.answer("echo", List.of(full), List.of(full, free));

        assertThat(router.dispatch(spec, text("hi"))).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "echo-2"));
    }

    @Test
    void replicaThatStopsBeforeRunningTheJobIsSkippedForAnother() throws Exception {
        // The job waits in echo-1's queue while its health check is held; echo-1 then reports
        // unhealthy, hands the job back unrun, and the router sends it to echo-2.
        DeploymentSpec spec = Specs.deployment("echo").build();
        Gate healthCheck = new Gate();
        ScriptedBackend dying = ScriptedBackend.upperCase().health(() -> {
            healthCheck.pass();
            return false;
        });
        Replica gone = fixture.running(spec, "echo-1", dying);
        Replica ready = fixture.running(spec, "echo-2", ScriptedBackend.upperCase());
        directory.answer("echo", List.of(gone), List.of(ready));
        healthCheck.awaitEntered();

        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> router.dispatch(spec, text("hi")));
        Await.until("the job to wait in echo-1's queue", () -> gone.queued() == 1);
        healthCheck.open();

        assertThat(outcome.get(30, TimeUnit.SECONDS)).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "echo-2"));
        assertThat(dying.count("inference")).isZero();
    }

    @Test
    void everyReplicaFullIs503NamingMaxQueued() {
        DeploymentSpec spec = Specs.deployment("echo").maxQueued(1).build();
        ScriptedBackend backend1 = ScriptedBackend.upperCase();
        ScriptedBackend backend2 = ScriptedBackend.upperCase();
        Replica full1 = fixture.running(spec, "echo-1", backend1);
        Replica full2 = fixture.running(spec, "echo-2", backend2);
        fill(full1, backend1);
        fill(full2, backend2);
        directory.answer("echo", List.of(full1, full2));

        Outcome outcome = router.dispatch(spec, text("hi"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Refused.class, refused -> {
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.message()).contains("overloaded").contains("max_queued = 1");
            assertThat(refused.retryAfterSeconds()).isPositive();
        });
    }

    @Test
    void noReplicaIs503SayingWhetherOneIsStarting() {
        DeploymentSpec spec = Specs.deployment("echo").build();

        Outcome none = router.dispatch(spec, text("hi"));
        directory.starting("echo", true);
        Outcome starting = router.dispatch(spec, text("hi"));

        assertThat(none).isEqualTo(new Outcome.Refused(503, "no replica of echo is ready; see `modelserve status`", 1));
        assertThat(starting).isEqualTo(new Outcome.Refused(503, "no replica of echo is ready yet (starting)", 1));
    }

    @Test
    void slowAnswerIs504AndTheAbandonedJobNeverRuns() throws Exception {
        DeploymentSpec spec = Specs.deployment("echo").timeoutMs(100).build();
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(spec, "echo-1", backend);
        directory.answer("echo", List.of(replica));
        Gate busy = backend.holdNextCall();
        Job earlier = submitAccepted(replica, "earlier");
        busy.awaitEntered();

        Outcome outcome = router.dispatch(spec, text("late"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Refused.class, refused -> {
            assertThat(refused.status()).isEqualTo(504);
            assertThat(refused.message()).isEqualTo("echo did not answer within timeout_ms = 100");
            assertThat(refused.replicaId()).as("where it waited").isEqualTo("echo-1");
            assertThat(refused.timing().known()).as("its plugin call never began").isFalse();
        });
        busy.open();
        earlier.result().get(30, TimeUnit.SECONDS);
        Await.until("the queue to be worked off", () -> replica.ongoing() == 0 && replica.queued() == 0);
        // Nobody waits for "late" any more: running it would only waste the model's time.
        assertThat(backend.requests()).extracting(r -> r.params().path("text").asText()).containsExactly("earlier");
    }

    @Test
    void pluginExceptionIs500WithItsMessage() {
        DeploymentSpec spec = Specs.deployment("echo").build();
        Replica replica = fixture.running(spec, "echo-1", new ScriptedBackend(request -> {
            throw new IllegalArgumentException("text is empty");
        }));
        directory.answer("echo", List.of(replica));

        assertAnsweredBy(router.dispatch(spec, text("")), 500, "text is empty", "echo-1");
    }

    @Test
    void pluginExceptionIsNotRetriedOnAnotherReplica() {
        // Unlike a refusal, a plugin failure means the request ran: retrying could run it twice.
        DeploymentSpec spec = Specs.deployment("echo").build();
        ScriptedBackend failing = new ScriptedBackend(request -> {
            throw new IllegalStateException("boom");
        });
        ScriptedBackend healthy = ScriptedBackend.upperCase();
        Replica first = fixture.running(spec, "echo-1", failing);
        Replica second = fixture.running(spec, "echo-2", healthy);
        directory.answer("echo", List.of(first), List.of(first, second));

        assertAnsweredBy(router.dispatch(spec, text("x")), 500, "boom", "echo-1");
        assertThat(healthy.count("inference")).isZero();
    }

    @Test
    void loadIsSpreadOverReplicas() throws Exception {
        // Power of two choices: with one replica busy, new work goes to the idle one.
        DeploymentSpec spec = Specs.deployment("echo").build();
        ScriptedBackend busyBackend = ScriptedBackend.upperCase();
        Replica busy = fixture.running(spec, "echo-1", busyBackend);
        Replica idle = fixture.running(spec, "echo-2", ScriptedBackend.upperCase());
        Gate gate = busyBackend.holdNextCall();
        submitAccepted(busy, "a");
        gate.awaitEntered();
        // Two more queued, so echo-1 stays the busier even while echo-2 counts a request that just
        // finished (its count drops only after the caller has its answer).
        submitAccepted(busy, "b");
        submitAccepted(busy, "c");
        directory.answer("echo", List.of(busy, idle));

        for (int i = 0; i < 20; i++) {
            assertThat(router.dispatch(spec, text("x"))).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("X", "echo-2"));
        }
    }

    /** Occupies the worker and fills the queue (max_queued = 1), so the next submit is FULL. */
    private static void fill(Replica replica, ScriptedBackend backend) {
        Gate gate = backend.holdNextCall();
        submitAccepted(replica, "occupies the worker");
        gate.awaitEntered();
        submitAccepted(replica, "fills the queue");
        assertThat(replica.submit(Job.of(text("probe")))).isEqualTo(Replica.Admission.FULL);
    }

    /** The request's own error answer, given by the replica (id starting {@code replica}) whose plugin ran it. */
    private static void assertAnsweredBy(Outcome outcome, int status, String message, String replica) {
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Refused.class, refused -> {
            assertThat(refused.status()).isEqualTo(status);
            assertThat(refused.message()).isEqualTo(message);
            assertThat(refused.refusal()).as("not a refusal to run").isNull();
            assertThat(refused.replicaId()).as("the replica that ran it").startsWith(replica);
            assertThat(refused.node()).as("this node").isNull();
            assertThat(refused.timing().known()).as("its queue wait and compute").isTrue();
        });
    }
}
