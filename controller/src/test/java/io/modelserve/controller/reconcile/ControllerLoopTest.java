package io.modelserve.controller.reconcile;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One pass of the loop, run directly on the test thread: the timer is never started. */
class ControllerLoopTest {
    private final FakeControllerStore store = new FakeControllerStore();
    private final FakeClock clock = new FakeClock(1_000_000);
    private final FakeNodeRuntime agents = new FakeNodeRuntime(store, clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ControllerLoop loop = new ControllerLoop(store, clock, meters, OwnedState.inMemory(),
            new io.modelserve.controller.events.EventLog(store, clock, "this head"));

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aPassReconcilesEveryDesiredDeployment() {
        store.addNode("n1", "8", 0);
        store.apply(spec("llm", 2).build());
        store.apply(spec("ocr", 1).build());

        loop.pass();

        assertThat(store.assignmentsOf("llm")).hasSize(2).allMatch(a -> a.isPlaced());
        assertThat(store.assignmentsOf("ocr")).hasSize(1);
        assertThat(loop.lastOutcomes()).containsOnlyKeys("llm", "ocr")
                .allSatisfy((name, outcome) -> assertThat(outcome).isInstanceOf(ReconcileOutcome.Progressing.class));
        assertThat(loop.passes()).isEqualTo(1);

        agents.runAll("llm");
        agents.runAll("ocr");
        loop.pass();

        assertThat(loop.lastOutcomes()).containsEntry("llm", new ReconcileOutcome.Converged())
                .containsEntry("ocr", new ReconcileOutcome.Converged());
        assertThat(meters.counter("modelserve.controller.reconciles", "outcome", "converged").count()).isEqualTo(2);
        assertThat(meters.counter("modelserve.controller.reconciles", "outcome", "progressing").count()).isEqualTo(2);
    }

    @Test
    void aPassAlsoReconcilesDeploymentsThatOnlyHaveLeftoverAssignments() {
        store.addNode("n1", "8", 0);
        store.apply(spec("old", 2).build());
        loop.pass();
        agents.runAll("old");
        store.unapply("old");

        loop.pass();

        assertThat(store.assignmentsOf("old")).isEmpty();
        assertThat(loop.lastOutcomes()).containsOnlyKeys("old");
        assertThat(loop.lastOutcomes().get("old")).isInstanceOf(ReconcileOutcome.Progressing.class);

        agents.pickUp();
        agents.finishDraining();
        loop.pass();

        // Nothing desired and nothing assigned: the deployment is no longer looked at.
        assertThat(loop.lastOutcomes()).isEmpty();
    }

    @Test
    void aFailingReconcileIsRecordedAndTheOthersStillRun() {
        store.addNode("n1", "8", 0);
        store.apply(spec("alpha", 1).build());
        store.apply(spec("broken", 1).build());
        store.apply(spec("zeta", 1).build());
        store.refuseWritesFor("broken");

        loop.pass();

        assertThat(loop.lastOutcomes().get("broken")).isInstanceOf(ReconcileOutcome.Failed.class);
        assertThat(((ReconcileOutcome.Failed) loop.lastOutcomes().get("broken")).message())
                .contains("store refuses writes for broken");
        assertThat(store.assignmentsOf("alpha")).hasSize(1);
        assertThat(store.assignmentsOf("zeta")).hasSize(1);
        assertThat(store.assignmentsOf("broken")).isEmpty();
        assertThat(meters.counter("modelserve.controller.reconciles", "outcome", "failed").count()).isEqualTo(1);
        assertThat(meters.timer("modelserve.controller.reconcile.duration").count()).isEqualTo(3);
        assertThat(loop.passes()).isEqualTo(1);
    }

    @Test
    void aPassOnAnEmptyClusterDoesNothing() {
        loop.pass();

        assertThat(loop.lastOutcomes()).isEmpty();
        assertThat(store.writes()).isZero();
        assertThat(loop.passes()).isEqualTo(1);
    }

    @Test
    void replicaIdsNameTheirDeployment() {
        store.addNode("n1", "8", 0);
        store.apply(spec("llm", 3).build());

        loop.pass();

        assertThat(store.assignmentsOf("llm")).extracting(a -> a.replicaId())
                .allMatch(id -> id.matches("llm-[0-9a-f]{6}"))
                .doesNotHaveDuplicates();
    }

    @Test
    void aStandbyIsNotActiveOnceToldSo() {
        assertThat(loop.isActive()).isTrue();
        loop.setActive(false);
        assertThat(loop.isActive()).isFalse();
    }

    @Test
    void workQueuedForADeploymentAtZeroIsDemand() {
        store.addNode("n1", "8", 0);
        store.apply(spec("Auto", 0).build().withAutoscaling(new io.modelserve.cluster.Autoscaling(0, 2, 2, 5, 30)));
        loop.pass();
        assertThat(loop.autoscaled()).containsEntry("Auto", 0);

        store.queue("Auto", 3);
        clock.advance(500);
        loop.pass();

        assertThat(loop.autoscaled()).containsEntry("Auto", 2);
    }

    @Test
    void theFirstAutoscaleDecisionAndEachChangeOfTheCountAreInTheTimelineOnce() {
        store.addNode("n1", "8", 0);
        store.apply(spec("Auto", 0).build().withAutoscaling(new io.modelserve.cluster.Autoscaling(0, 2, 2, 5, 30)));
        loop.pass();
        store.queue("Auto", 3);
        clock.advance(500);
        loop.pass();
        loop.pass();

        assertThat(store.events()).extracting(io.modelserve.cluster.ClusterEvent::kind).containsExactly(
                io.modelserve.cluster.ClusterEvent.Kind.LEADER, io.modelserve.cluster.ClusterEvent.Kind.AUTOSCALE,
                io.modelserve.cluster.ClusterEvent.Kind.AUTOSCALE);
        assertThat(store.events()).element(1).satisfies(e -> assertThat(e.message()).startsWith("Auto: 0 replicas ("));
        assertThat(store.events()).element(2).satisfies(e -> {
            assertThat(e.message()).startsWith("Auto: 0 -> 2 replicas (");
            assertThat(e.deployments()).containsExactly("Auto");
        });
    }
}
