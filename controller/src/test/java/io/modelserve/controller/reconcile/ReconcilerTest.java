package io.modelserve.controller.reconcile;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.sdk.Device;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Create, scale, in-place changes, removal, node loss and PENDING, one deployment at a time. */
class ReconcilerTest {
    private final ReconcileHarness cluster = new ReconcileHarness();

    @Test
    void createAssignsEveryReplicaToALiveNodeSpreadAcrossNodes() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        cluster.store.apply(spec("llm", 3).build());

        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002", "llm-000003");
        assertThat(cluster.placedNodes("llm")).containsExactly("n1", "n2", "n3");
        assertThat(cluster.assignments("llm")).allSatisfy(a -> {
            assertThat(a.device()).isEqualTo(Device.CPU);
            assertThat(a.pendingReason()).isNull();
        });
        assertThat(outcome).isInstanceOf(ReconcileOutcome.Progressing.class);
        assertThat(((ReconcileOutcome.Progressing) outcome).reason()).isEqualTo("0/3 ready");
    }

    @Test
    void createConvergesOnlyWhenEveryReplicaIsRunning() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.apply(spec("llm", 2).build());
        cluster.reconcile("llm");

        cluster.agents.pickUp();
        assertThat(cluster.reconcile("llm")).isInstanceOf(ReconcileOutcome.Progressing.class);

        cluster.agents.running("llm-000001");
        ReconcileOutcome oneReady = cluster.reconcile("llm");
        assertThat(oneReady).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL, "1/2 ready"));

        cluster.agents.running("llm-000002");
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void aReplicaRunningOnAnotherNodeThanItsAssignedOneIsNotReady() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.apply(spec("llm", 1).build());
        cluster.reconcile("llm");
        cluster.agents.running("llm-000001");
        ReplicaStatus status = cluster.store.status("llm-000001").orElseThrow();
        cluster.store.putStatus(new ReplicaStatus(status.replicaId(), status.deployment(), status.version(),
                "elsewhere", status.device(), ReplicaState.RUNNING, status.configDigest(), null, 0, 0, 0, 0));

        assertThat(cluster.reconcile("llm")).isInstanceOf(ReconcileOutcome.Progressing.class);
    }

    @Test
    void scaleUpAddsOnlyTheMissingReplicasAndKeepsTheSurvivor() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        Specs llm = spec("llm", 1);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        ReplicaAssignment survivor = cluster.assignments("llm").getFirst();

        cluster.store.apply(llm.replicas(3).build());
        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002", "llm-000003");
        assertThat(cluster.store.assignment("llm-000001")).contains(survivor);
        assertThat(cluster.placedNodes("llm")).containsExactly("n1", "n2", "n3");

        cluster.agents.runAll("llm");
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void scaleDownRemovesReplicasThatAreNotRunningFirst() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        Specs llm = spec("llm", 3);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.agents.pickUp();
        // The oldest one is still starting, the newest one runs: the one not serving goes first.
        cluster.agents.running("llm-000002");
        cluster.agents.running("llm-000003");

        cluster.store.apply(llm.replicas(2).build());
        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000002", "llm-000003");
    }

    @Test
    void scaleDownRemovesFailedBeforeStartingBeforeRunning() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        Specs llm = spec("llm", 3);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.agents.pickUp();
        cluster.agents.running("llm-000001");
        cluster.agents.failed("llm-000002", "init threw");

        cluster.store.apply(llm.replicas(2).build());
        cluster.reconcile("llm");
        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000003");

        cluster.store.apply(llm.replicas(1).build());
        cluster.reconcile("llm");
        assertThat(cluster.ids("llm")).containsExactly("llm-000001");
    }

    @Test
    void scaleDownAmongRunningReplicasRemovesTheNewestAndKeepsTheSurvivorUntouched() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        Specs llm = spec("llm", 1);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.store.apply(llm.replicas(2).build());
        cluster.reconcile("llm");
        cluster.store.apply(llm.replicas(3).build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        ReplicaAssignment oldest = cluster.store.assignment("llm-000001").orElseThrow();

        cluster.store.apply(llm.replicas(1).build());
        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001");
        assertThat(cluster.store.assignment("llm-000001")).contains(oldest);
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void scaleDownRemovesUnplacedReplicasFirst() {
        cluster.store.addNode("n1", "2", 0);
        Specs llm = spec("llm", 3);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        assertThat(cluster.assignments("llm")).filteredOn(a -> !a.isPlaced())
                .extracting(ReplicaAssignment::replicaId).containsExactly("llm-000003");

        cluster.store.apply(llm.replicas(2).build());
        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002");
        assertThat(outcome).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void configOnlyChangeLeavesAssignmentsAlone() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        Specs llm = spec("llm", 2);
        cluster.store.apply(llm.build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        List<ReplicaAssignment> before = cluster.assignments("llm");
        int writes = cluster.store.writes();

        DeploymentSpec reconfigured = llm.withConfig(Map.of("greeting", "bonjour")).withTimeout(5_000)
                .withRoute("chat").withMethods("GET", "POST").build();
        assertThat(reconfigured.version()).isEqualTo(llm.build().version());
        cluster.store.apply(reconfigured);
        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.assignments("llm")).isEqualTo(before);
        assertThat(cluster.store.writes()).isEqualTo(writes);
        assertThat(outcome).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void removedDeploymentLosesEveryAssignmentAndConvergesWhenItsReplicasHaveStopped() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.apply(spec("llm", 2).build());
        cluster.store.apply(spec("ocr", 1).build());
        cluster.reconcile("llm");
        cluster.reconcile("ocr");
        cluster.agents.runAll("llm");
        cluster.agents.runAll("ocr");

        cluster.store.unapply("llm");
        ReconcileOutcome removing = cluster.reconcile("llm");

        assertThat(cluster.assignments("llm")).isEmpty();
        assertThat(cluster.assignments("ocr")).hasSize(1);
        assertThat(removing).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL,
                "draining removed deployment"));

        cluster.agents.pickUp();
        assertThat(cluster.store.status("llm-000001")).get().extracting(ReplicaStatus::state).isEqualTo(ReplicaState.DRAINING);
        assertThat(cluster.reconcile("llm")).isInstanceOf(ReconcileOutcome.Progressing.class);

        cluster.agents.finishDraining();
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
        assertThat(cluster.reconcile("ocr")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void removedDeploymentConvergesEvenIfALostNodeLeftItsStatusBehind() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.apply(spec("llm", 2).build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");

        // n2 crashed: nobody will ever remove the status it wrote.
        cluster.store.loseNode("n2");
        cluster.store.unapply("llm");
        cluster.reconcile("llm");
        cluster.agents.pickUp();
        cluster.agents.finishDraining();

        assertThat(cluster.store.statuses()).hasSize(1);
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void unknownDeploymentWithNothingLeftIsConverged() {
        assertThat(cluster.reconcile("ghost")).isEqualTo(new ReconcileOutcome.Converged());
        assertThat(cluster.store.writes()).isZero();
    }

    @Test
    void replicasOfALostNodeAreReplacedOnTheSurvivors() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n3", "8", 0);
        cluster.store.apply(spec("llm", 3).build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        String lost = cluster.store.assignment("llm-000002").orElseThrow().node();

        cluster.store.loseNode(lost);
        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000003", "llm-000004");
        assertThat(cluster.assignments("llm")).extracting(ReplicaAssignment::node)
                .allMatch(node -> cluster.store.liveNodeIds().contains(node));
        assertThat(outcome).isInstanceOf(ReconcileOutcome.Progressing.class);

        cluster.agents.runAll("llm");
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void losingEveryNodeLeavesTheReplicasPendingWithTheReason() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.apply(spec("llm", 2).build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");

        cluster.store.loseNode("n1");
        cluster.reconcile("llm");

        assertThat(cluster.assignments("llm")).extracting(ReplicaAssignment::replicaId, ReplicaAssignment::node,
                ReplicaAssignment::pendingReason).containsExactly(
                        tuple("llm-000003", null, "no nodes in the cluster"),
                        tuple("llm-000004", null, "no nodes in the cluster"));
    }

    @Test
    void aReplicaThatFitsNowhereStaysPendingWithTheSchedulersReason() {
        cluster.store.addNode("n1", "2", 0);
        cluster.store.apply(spec("llm", 3).withCost("1.5", "0").build());

        ReconcileOutcome outcome = cluster.reconcile("llm");

        assertThat(cluster.assignments("llm")).extracting(ReplicaAssignment::node)
                .containsExactly("n1", null, null);
        assertThat(cluster.store.assignment("llm-000002").orElseThrow().pendingReason())
                .isEqualTo("needs cpu 1.5, largest free 0.5 on n1");
        assertThat(outcome).isEqualTo(new ReconcileOutcome.Progressing(Reconciler.PROGRESS_POLL, "0/3 ready"));
    }

    @Test
    void aPendingReplicaIsPlacedOnceANodeWithRoomJoins() {
        cluster.store.addNode("n1", "2", 0);
        cluster.store.apply(spec("llm", 2).withCost("1.5", "0").build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        assertThat(cluster.store.assignment("llm-000002").orElseThrow().isPlaced()).isFalse();

        cluster.store.addNode("n2", "2", 0);
        cluster.reconcile("llm");

        assertThat(cluster.ids("llm")).containsExactly("llm-000001", "llm-000002");
        ReplicaAssignment placed = cluster.store.assignment("llm-000002").orElseThrow();
        assertThat(placed.node()).isEqualTo("n2");
        assertThat(placed.pendingReason()).isNull();

        cluster.agents.runAll("llm");
        assertThat(cluster.reconcile("llm")).isEqualTo(new ReconcileOutcome.Converged());
    }

    @Test
    void aGpuReplicaGetsAShareOfOneDevice() {
        cluster.store.addNode("n1", "8", 1);
        cluster.store.apply(spec("llm", 2).withCost("1", "0.5").build());

        cluster.reconcile("llm");

        assertThat(cluster.assignments("llm")).extracting(ReplicaAssignment::device)
                .containsExactly(Device.gpu(0, 0.5), Device.gpu(0, 0.5));
    }

    @Test
    void secondReconcileWithoutAnyChangeWritesNothing() {
        cluster.store.addNode("n1", "2", 0);
        cluster.store.apply(spec("llm", 3).build());
        cluster.store.apply(spec("ocr", 1).build());

        cluster.reconcile("llm");
        cluster.reconcile("ocr");
        int afterFirst = cluster.store.writes();
        cluster.reconcile("llm");
        cluster.reconcile("ocr");

        assertThat(afterFirst).isPositive();
        assertThat(cluster.store.writes()).isEqualTo(afterFirst);
    }

    @Test
    void everyStepOfALifecycleIsIdempotent() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        Specs llm = spec("llm", 2);
        List<Runnable> changes = List.of(
                () -> cluster.store.apply(llm.build()),
                cluster.agents::pickUp,
                () -> cluster.agents.runAll("llm"),
                () -> cluster.store.apply(llm.replicas(3).build()),
                () -> cluster.store.loseNode("n2"),
                () -> cluster.store.apply(llm.withJar("jar-v2").replicas(3).build()),
                () -> cluster.agents.runAll("llm"),
                () -> cluster.store.unapply("llm"),
                cluster.agents::finishDraining);
        for (Runnable change : changes) {
            change.run();
            cluster.reconcile("llm");
            int writes = cluster.store.writes();
            cluster.reconcile("llm");
            assertThat(cluster.store.writes()).as("writes after a repeated reconcile").isEqualTo(writes);
        }
    }
}
