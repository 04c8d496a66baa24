package io.modelserve.controller.reconcile;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.sdk.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A new version (jar, model, cost...) replaces replicas one by one without dropping capacity. */
class RollingReplacementTest {
    private final ReconcileHarness cluster = new ReconcileHarness();

    @Test
    void aNewJarReplacesReplicasOneAtATimeKeepingEnoughRunning() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 3));
        DeploymentSpec v2 = spec("llm", 3).withJar("jar-v2").build();
        assertThat(v2.version()).isNotEqualTo(v1.version());

        cluster.store.apply(v2);
        int steps = rollOut(v1, v2, 3);

        assertThat(cluster.assignments("llm")).hasSize(3).allMatch(a -> a.version().equals(v2.version()));
        assertThat(cluster.ids("llm")).containsExactly("llm-000004", "llm-000005", "llm-000006");
        assertThat(cluster.placedNodes("llm")).containsExactly("n1", "n2", "n3");
        assertThat(steps).isEqualTo(4);
    }

    @Test
    void theFirstStepStartsExactlyOneNewReplicaAndRemovesNoOldOne() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withModel("model-v2").build();

        cluster.store.apply(v2);
        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.assigned("llm", v1.version())).isEqualTo(2);
        assertThat(cluster.assigned("llm", v2.version())).isEqualTo(1);
        assertThat(outcome).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL,
                "0/2 ready, 2 of the previous version left"));

        // Still starting: nothing more happens however often it is reconciled.
        cluster.agents.pickUp();
        int writes = cluster.store.writes();
        cluster.reconcile("llm");
        cluster.reconcile("llm");
        assertThat(cluster.store.writes()).isEqualTo(writes);
        assertThat(cluster.assigned("llm", v1.version())).isEqualTo(2);
    }

    @Test
    void anOldReplicaGoesOnlyOnceANewOneRuns() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withBackend("com.example.LlmV2").build();
        cluster.store.apply(v2);
        cluster.reconcile("llm");
        cluster.agents.pickUp();

        cluster.agents.running("llm-000003");
        cluster.reconcile("llm");

        assertThat(cluster.assigned("llm", v1.version())).isEqualTo(1);
        assertThat(cluster.ids("llm")).containsExactly("llm-000002", "llm-000003", "llm-000004");
    }

    @Test
    void aNewVersionWhoseReplicasFailLeavesTheOldOnesServing() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 3));
        DeploymentSpec v2 = spec("llm", 3).withJar("jar-broken").build();
        cluster.store.apply(v2);
        cluster.reconcile("llm");
        cluster.agents.pickUp();

        ReconcileOutcome outcome = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            cluster.agents.failed("llm-000004", "init threw NoClassDefFoundError");
            outcome = cluster.reconcile("llm");
        }

        assertThat(cluster.running("llm", v1.version())).isEqualTo(3);
        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002", "llm-000003", "llm-000004");
        assertThat(outcome).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL,
                "0/3 ready, 3 of the previous version left"));
    }

    @Test
    void aFailedNewReplicaThatRecoversLetsTheRolloutGoOn() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withJar("jar-v2").build();
        cluster.store.apply(v2);
        cluster.reconcile("llm");
        cluster.agents.pickUp();
        cluster.agents.failed("llm-000003", "model file not found");
        cluster.reconcile("llm");

        cluster.agents.running("llm-000003");
        rollOut(v1, v2, 2);

        assertThat(cluster.assignments("llm")).hasSize(2).allMatch(a -> a.version().equals(v2.version()));
    }

    @Test
    void oldReplicasThatDoNotServeAreGivenUpFirst() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        running(spec("llm", 3));
        cluster.agents.failed("llm-000003", "out of memory");
        cluster.store.apply(spec("llm", 3).withJar("jar-v2").build());
        cluster.reconcile("llm");
        cluster.agents.pickUp();

        cluster.agents.running("llm-000004");
        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002", "llm-000004", "llm-000005");
    }

    @Test
    void scalingDownDuringARolloutKeepsOnlyAsManyOldAsWanted() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 3));
        DeploymentSpec v2 = spec("llm", 1).withJar("jar-v2").build();
        cluster.store.apply(v2);

        cluster.reconcile("llm");

        assertThat(cluster.assigned("llm", v1.version())).isEqualTo(1);
        assertThat(cluster.assigned("llm", v2.version())).isEqualTo(1);
        rollOut(v1, v2, 1);
        assertThat(cluster.ids("llm")).containsExactly("llm-000004");
    }

    @Test
    void aFullClusterGivesUpOneOldReplicaAtATimeToMakeRoom() {
        cluster.store.addNode("n1", "2", 0);
        cluster.store.addNode("n2", "2", 0);
        DeploymentSpec v1 = running(spec("llm", 4));
        DeploymentSpec v2 = spec("llm", 4).withJar("jar-v2").build();
        cluster.store.apply(v2);

        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(outcome).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL,
                "0/4 ready, 3 of the previous version left; " + Rollout.IN_PLACE));
        // No room for a surge: one old replica made room, and the new one took its place.
        assertThat(Rollout.surgeRoom(cluster.store).fits(v2)).isFalse();
        assertThat(cluster.assigned("llm", v1.version())).isEqualTo(3);
        ReplicaAssignment fresh = cluster.store.assignment("llm-000005").orElseThrow();
        assertThat(fresh.isPlaced()).isTrue();
        assertThat(cluster.store.assignment("llm-000001")).isEmpty();

        rollOut(v1, v2, 3);
        assertThat(cluster.assignments("llm")).hasSize(4).allMatch(a -> a.version().equals(v2.version()));
        assertThat(cluster.placedNodes("llm")).containsExactly("n1", "n1", "n2", "n2");
    }

    @Test
    void aNewVersionThatCanNeverFitLeavesTheOldReplicasAlone() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withCost("1", "1").build();
        cluster.store.apply(v2);

        cluster.reconcile("llm");
        int writes = cluster.store.writes();
        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.running("llm", v1.version())).isEqualTo(2);
        List<ReplicaAssignment> fresh = cluster.assignments("llm").stream()
                .filter(a -> a.version().equals(v2.version())).toList();
        assertThat(fresh).singleElement().satisfies(a -> {
            assertThat(a.isPlaced()).isFalse();
            assertThat(a.pendingReason()).isEqualTo("needs gpu 1, no node has a GPU");
        });
        assertThat(cluster.store.writes()).isEqualTo(writes);
        assertThat(outcome).isInstanceOf(ReconcileOutcome.Progressing.class);
    }

    @Test
    void aFullClusterGivesUpAnOldReplicaOnlyWhereThatMakesRoom() {
        // n2 has the only GPU; the new version needs it, so only the old replica on n2 is worth giving up.
        cluster.store.addNode("n1", "1", 0);
        cluster.store.addNode("n2", "1", 1);
        DeploymentSpec v1 = running(spec("llm", 2));
        assertThat(cluster.store.assignment("llm-000001").orElseThrow().node()).isEqualTo("n1");
        DeploymentSpec v2 = spec("llm", 2).withCost("1", "1").build();
        cluster.store.apply(v2);

        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000003");
        ReplicaAssignment fresh = cluster.store.assignment("llm-000003").orElseThrow();
        assertThat(fresh.node()).isEqualTo("n2");
        assertThat(fresh.device()).isEqualTo(Device.gpu(0, 1.0));
        assertThat(cluster.running("llm", v1.version())).isEqualTo(1);
    }

    @Test
    void withRoomARolloutSurgesAndNeverSaysInPlace() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withJar("jar-v2").build();
        assertThat(Rollout.surgeRoom(cluster.store).fits(v2)).isTrue();
        cluster.store.apply(v2);

        ReconcileOutcome first = cluster.reconcile("llm");

        assertThat(first).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL,
                "0/2 ready, 2 of the previous version left"));
        assertThat(cluster.running("llm", v1.version())).isEqualTo(2);
        rollOut(v1, v2, 2);
    }

    @Test
    void anInPlaceRolloutSaysSoUntilTheLastOldReplicaIsGone() {
        cluster.store.addNode("n1", "1", 0);
        cluster.store.addNode("n2", "1", 0);
        DeploymentSpec v1 = running(spec("llm", 2));
        DeploymentSpec v2 = spec("llm", 2).withJar("jar-v2").build();
        cluster.store.apply(v2);
        List<String> messages = new java.util.ArrayList<>();
        for (int step = 0; step < 10 && cluster.assigned("llm", v1.version()) > 0; step++) {
            if (cluster.reconcile("llm") instanceof ReconcileOutcome.Progressing progressing
                    && cluster.assigned("llm", v1.version()) > 0) {
                messages.add(progressing.reason());
            }
            cluster.agents.pickUp();
            cluster.assignments("llm").stream().filter(a -> a.isPlaced() && a.version().equals(v2.version()))
                    .forEach(a -> cluster.agents.running(a.replicaId()));
            cluster.agents.finishDraining();
        }

        assertThat(cluster.assigned("llm", v1.version())).isZero();
        assertThat(messages).isNotEmpty().allMatch(m -> m.endsWith(Rollout.IN_PLACE));
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void anOldReplicaThatWasNeverPlacedIsNotLeftBehind() {
        // Two one-core nodes, three one-core replicas: the third of v1 waits PENDING when v2 is applied.
        cluster.store.addNode("n1", "1", 0);
        cluster.store.addNode("n2", "1", 0);
        DeploymentSpec v1 = spec("llm", 3).build();
        cluster.store.apply(v1);
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        assertThat(cluster.assignments("llm")).filteredOn(a -> !a.isPlaced()).hasSize(1);
        DeploymentSpec v2 = spec("llm", 3).withJar("jar-v2").build();
        cluster.store.apply(v2);

        for (int step = 0; step < 10; step++) {
            cluster.reconcile("llm");
            cluster.agents.pickUp();
            cluster.assignments("llm").stream().filter(a -> a.isPlaced() && a.version().equals(v2.version()))
                    .forEach(a -> cluster.agents.running(a.replicaId()));
            cluster.agents.finishDraining();
        }

        // The old version is gone entirely; the new one runs where it fits and waits, PENDING, for the rest.
        assertThat(cluster.assigned("llm", v1.version())).isZero();
        assertThat(cluster.running("llm", v2.version())).isEqualTo(2);
        assertThat(cluster.assignments("llm")).filteredOn(a -> !a.isPlaced()).singleElement()
                .satisfies(a -> assertThat(a.version()).isEqualTo(v2.version()));
    }

    /** Applies {@code spec}, places it and lets every replica run; returns the spec. */
    private DeploymentSpec running(Specs spec) {
        DeploymentSpec built = spec.build();
        cluster.store.apply(built);
        cluster.reconcile(built.name());
        cluster.agents.runAll(built.name());
        assertThat(cluster.running(built.name(), built.version())).isEqualTo(built.replicas());
        return built;
    }

    /**
     * Drives the rollout to the end as the agents would, checking after every reconcile and every agent
     * step that at least {@code minRunning} replicas serve, that at most one new replica is on its way,
     * and that no old replica went without a new one running to take over. Returns the reconciles it took.
     */
    private int rollOut(DeploymentSpec v1, DeploymentSpec v2, int minRunning) {
        String name = v2.name();
        for (int step = 1; step <= 20; step++) {
            long newRunningBefore = cluster.running(name, v2.version());
            long oldBefore = cluster.assigned(name, v1.version());
            ReconcileOutcome outcome = cluster.reconcile(name);
            if (outcome instanceof ReconcileOutcome.Converged) {
                assertThat(cluster.assigned(name, v1.version())).isZero();
                return step;
            }
            long oldRemoved = oldBefore - cluster.assigned(name, v1.version());
            assertThat(oldRemoved).as("old replicas removed in step %d", step).isLessThanOrEqualTo(Math.max(1, newRunningBefore));
            assertCapacity(v1, v2, minRunning);
            assertThat(cluster.assigned(name, v2.version()) - cluster.running(name, v2.version()))
                    .as("new replicas on their way in step %d", step).isLessThanOrEqualTo(1);

            cluster.agents.pickUp();
            assertCapacity(v1, v2, minRunning);
            for (ReplicaAssignment a : cluster.assignments(name)) {
                boolean starting = a.isPlaced() && cluster.store.status(a.replicaId())
                        .map(s -> s.state() == ReplicaState.STARTING).orElse(false);
                if (starting) {
                    cluster.agents.running(a.replicaId());
                }
            }
            cluster.agents.finishDraining();
        }
        throw new AssertionError("the rollout did not converge in 20 steps: " + cluster.assignments(name));
    }

    private void assertCapacity(DeploymentSpec v1, DeploymentSpec v2, int minRunning) {
        long running = cluster.running(v2.name(), v1.version()) + cluster.running(v2.name(), v2.version());
        assertThat(running).as("replicas running, old and new").isGreaterThanOrEqualTo(minRunning);
    }
}
