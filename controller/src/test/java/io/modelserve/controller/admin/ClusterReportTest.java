package io.modelserve.controller.admin;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.controller.admin.ClusterReport.DeploymentLine;
import io.modelserve.controller.admin.ClusterReport.NodeLine;
import io.modelserve.controller.admin.ClusterReport.ReplicaLine;
import io.modelserve.controller.reconcile.ReconcileHarness;
import io.modelserve.controller.reconcile.Specs;
import io.modelserve.sdk.Device;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code modelserve status} says, for a converged cluster and for each way of not being one. */
class ClusterReportTest {
    private final ReconcileHarness cluster = new ReconcileHarness();

    @Test
    void aClusterRunningWhatWasAppliedHasConverged() {
        cluster.store.addNode("n2", "8", 0);
        cluster.store.addNode("n1", "4", 1);
        runningDeployment(spec("llm", 2));

        ClusterReport report = report();

        assertThat(report.converged()).isTrue();
        assertThat(report.problems()).isEmpty();
        assertThat(report.failures()).isEmpty();
        assertThat(report.leader()).isEqualTo("head-1");
        assertThat(report.generation()).isEqualTo(7);
        assertThat(report.deployments()).containsExactly(new DeploymentLine("llm", "/llm", List.of("POST"),
                2, 2, spec("llm", 2).build().version(), "com.example.llm", "llm", null,
                new DeploymentHealth(DeploymentHealth.State.HEALTHY, "2 of 2 replicas ready", null)));
        assertThat(report.nodes()).extracting(NodeLine::id, NodeLine::cpu, NodeLine::cpuUsed, NodeLine::gpus)
                .containsExactly(tuple("n1", "4", "1", 1), tuple("n2", "8", "1", 0));
        assertThat(report.replicas()).extracting(ReplicaLine::id, ReplicaLine::state)
                .containsExactly(tuple("llm-000001", ReplicaState.RUNNING), tuple("llm-000002", ReplicaState.RUNNING));
    }

    @Test
    void aDeploymentNotYetReconciledHasTooFewReplicasAssigned() {
        cluster.store.apply(spec("llm", 2).build());

        ClusterReport report = report();

        assertThat(report.converged()).isFalse();
        assertThat(report.problems()).containsExactly("llm: 0 of 2 replicas assigned");
        assertThat(report.deployments()).extracting(DeploymentLine::ready).containsExactly(0);
    }

    @Test
    void aReplicaWaitingForPlacementIsAProblemButNotAFailure() {
        DeploymentSpec llm = spec("llm", 1).build();
        cluster.store.apply(llm);
        cluster.store.putAssignment(new ReplicaAssignment("llm-000001", llm, null, Device.CPU,
                "waiting for placement", 0));

        ClusterReport report = report();

        assertThat(report.problems()).containsExactly("llm-000001 on no node: PENDING - waiting for placement");
        assertThat(report.failures()).isEmpty();
    }

    @Test
    void aReplicaItsNodeHasNotPickedUpYetIsPending() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.apply(spec("llm", 1).build());
        cluster.reconcile("llm");

        ClusterReport report = report();

        assertThat(report.converged()).isFalse();
        assertThat(report.problems()).containsExactly("llm-000001 on n1: PENDING - waiting for n1 to start it");
        assertThat(report.failures()).isEmpty();
    }

    @Test
    void aStartingReplicaIsWorkInProgress() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.apply(spec("llm", 1).build());
        cluster.reconcile("llm");
        cluster.agents.pickUp();

        ClusterReport report = report();

        assertThat(report.converged()).isFalse();
        assertThat(report.problems()).containsExactly("llm-000001 on n1: STARTING - loading");
        assertThat(report.failures()).isEmpty();
    }

    @Test
    void aFailedReplicaIsAFailureWithItsLastError() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        cluster.store.apply(spec("llm", 2).build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        cluster.agents.failed("llm-000002", "init threw: weights.bin is truncated");

        ClusterReport report = report();

        assertThat(report.converged()).isFalse();
        String expected = "llm-000002 on n2: FAILED - init threw: weights.bin is truncated (retrying with backoff)";
        assertThat(report.failures()).containsExactly(expected);
        assertThat(report.problems()).containsExactly(expected);
        assertThat(report.replicas()).filteredOn(line -> line.id().equals("llm-000002")).singleElement()
                .satisfies(line -> {
                    assertThat(line.state()).isEqualTo(ReplicaState.FAILED);
                    assertThat(line.reason()).startsWith("init threw: weights.bin is truncated");
                });
        assertThat(report.deployments()).extracting(DeploymentLine::ready).containsExactly(1);
    }

    @Test
    void aRestartedFailedReplicaSaysHowOften() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.apply(spec("llm", 1).build());
        cluster.reconcile("llm");
        cluster.agents.failed("llm-000001", "boom");
        ReplicaStatus failed = cluster.store.status("llm-000001").orElseThrow();
        cluster.store.putStatus(new ReplicaStatus(failed.replicaId(), failed.deployment(), failed.version(),
                failed.node(), failed.device(), ReplicaState.FAILED, failed.configDigest(), "boom", 3, 0, 0, 0));

        assertThat(report().failures()).containsExactly(
                "llm-000001 on n1: FAILED - boom (restarted 3x, retrying with backoff)");
    }

    @Test
    void aReplicaThatFitsNowhereShowsTheSchedulersReason() {
        cluster.store.addNode("n1", "2", 0);
        cluster.store.apply(spec("llm", 2).withCost("1.5", "0").build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");

        ClusterReport report = report();

        String expected = "llm-000002 on no node: PENDING - needs cpu 1.5, largest free 0.5 on n1";
        assertThat(report.converged()).isFalse();
        assertThat(report.failures()).containsExactly(expected);
        assertThat(report.problems()).containsExactly(expected);
        assertThat(report.replicas()).filteredOn(line -> line.id().equals("llm-000002")).singleElement()
                .satisfies(line -> {
                    assertThat(line.node()).isEqualTo("-");
                    assertThat(line.state()).isEqualTo(ReplicaState.PENDING);
                    assertThat(line.reason()).isEqualTo("needs cpu 1.5, largest free 0.5 on n1");
                });
    }

    @Test
    void replicasOfThePreviousVersionAreBeingReplaced() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        DeploymentSpec v1 = runningDeployment(spec("llm", 2));
        cluster.store.apply(spec("llm", 2).withJar("jar-v2").build());
        cluster.reconcile("llm");
        cluster.agents.runAll("llm");

        ClusterReport report = report();

        assertThat(report.converged()).isFalse();
        assertThat(report.problems()).containsExactly(
                "llm-000001: previous version " + v1.version() + ", being replaced",
                "llm-000002: previous version " + v1.version() + ", being replaced",
                "llm: 1 of 2 replicas assigned");
        assertThat(report.failures()).isEmpty();
        assertThat(report.replicas()).filteredOn(line -> line.version().equals(v1.version()))
                .extracting(ReplicaLine::reason)
                .containsOnly("previous version, replaced once a new replica is ready");
        assertThat(report.deployments()).extracting(DeploymentLine::ready).containsExactly(1);
    }

    @Test
    void aNewConfigNotYetAppliedByTheReplicasIsAProblem() {
        cluster.store.addNode("n1", "8", 0);
        Specs llm = spec("llm", 1);
        runningDeployment(llm);
        DeploymentSpec reconfigured = llm.withConfig(Map.of("greeting", "bonjour")).build();
        cluster.store.apply(reconfigured);

        assertThat(report().problems()).containsExactly("llm-000001: applying new config");

        ReplicaStatus before = cluster.store.status("llm-000001").orElseThrow();
        cluster.store.putStatus(new ReplicaStatus(before.replicaId(), before.deployment(), before.version(),
                before.node(), before.device(), before.state(), reconfigured.configDigest(), null, 0, 0, 0, 0));
        assertThat(report().converged()).isTrue();
    }

    @Test
    void aRemovedDeploymentIsStoppingThenDrainingThenGone() {
        cluster.store.addNode("n1", "8", 0);
        runningDeployment(spec("llm", 1));
        cluster.store.unapply("llm");

        assertThat(report().problems()).containsExactly("llm-000001: deployment removed, stopping");

        cluster.reconcile("llm");
        cluster.agents.pickUp();
        ClusterReport draining = report();
        assertThat(draining.problems()).containsExactly("llm-000001: draining");
        assertThat(draining.replicas()).singleElement().satisfies(line -> {
            assertThat(line.state()).isEqualTo(ReplicaState.DRAINING);
            assertThat(line.reason()).isEqualTo("no longer assigned, finishing queued requests");
        });

        cluster.agents.finishDraining();
        assertThat(report().converged()).isTrue();
        assertThat(report().replicas()).isEmpty();
    }

    @Test
    void aReplicaOnALostNodeIsBeingReplacedAndWhatTheNodeLeftBehindIsNotDraining() {
        cluster.store.addNode("n1", "8", 0);
        cluster.store.addNode("n2", "8", 0);
        runningDeployment(spec("llm", 2));

        cluster.store.loseNode("n2");
        ClusterReport lost = report();
        assertThat(lost.converged()).isFalse();
        assertThat(lost.problems()).containsExactly("llm-000002: node n2 lost, being replaced");
        assertThat(lost.deployments()).extracting(DeploymentLine::ready).containsExactly(1);

        cluster.reconcile("llm");
        cluster.agents.runAll("llm");
        ClusterReport replaced = report();
        assertThat(replaced.problems()).isEmpty();
        assertThat(replaced.converged()).isTrue();
        assertThat(replaced.replicas()).extracting(ReplicaLine::id, ReplicaLine::node)
                .containsExactly(tuple("llm-000001", "n1"), tuple("llm-000003", "n1"));
    }

    @Test
    void linesAreSorted() {
        cluster.store.addNode("n3", "16", 0);
        cluster.store.addNode("n1", "16", 0);
        cluster.store.addNode("n2", "16", 0);
        runningDeployment(spec("zeta", 2));
        runningDeployment(spec("alpha", 3));
        runningDeployment(spec("mid", 3));
        cluster.store.apply(spec("alpha", 1).build());
        cluster.store.apply(spec("zeta", 1).build());
        cluster.reconcile("alpha");
        cluster.reconcile("zeta");
        cluster.agents.pickUp();
        cluster.store.apply(spec("zeta", 2).build());
        cluster.reconcile("zeta");

        ClusterReport report = report();

        assertThat(report.nodes()).extracting(NodeLine::id).containsExactly("n1", "n2", "n3");
        assertThat(report.deployments()).extracting(DeploymentLine::name).containsExactly("alpha", "mid", "zeta");
        // Assigned replicas oldest first, then those draining by id, all grouped by deployment.
        assertThat(report.replicas()).extracting(ReplicaLine::deployment, ReplicaLine::id, ReplicaLine::state)
                .containsExactly(
                        tuple("alpha", "alpha-000005", ReplicaState.RUNNING),
                        tuple("alpha", "alpha-000003", ReplicaState.DRAINING),
                        tuple("alpha", "alpha-000004", ReplicaState.DRAINING),
                        tuple("mid", "mid-000006", ReplicaState.RUNNING),
                        tuple("mid", "mid-000007", ReplicaState.RUNNING),
                        tuple("mid", "mid-000008", ReplicaState.RUNNING),
                        tuple("zeta", "zeta-000002", ReplicaState.RUNNING),
                        tuple("zeta", "zeta-000009", ReplicaState.PENDING),
                        tuple("zeta", "zeta-000001", ReplicaState.DRAINING));
        assertThat(report.problems()).containsExactly(
                "zeta-000009 on n1: PENDING - waiting for n1 to start it",
                "alpha-000003: draining",
                "alpha-000004: draining",
                "zeta-000001: draining");
    }

    @Test
    void aRolloutReplacingInPlaceSaysSoInStatus() {
        cluster.store.addNode("n1", "1", 0);
        cluster.store.addNode("n2", "1", 0);
        runningDeployment(spec("llm", 2));
        cluster.store.apply(spec("llm", 2).withJar("jar-v2").build());
        cluster.reconcile("llm");

        assertThat(report().problems()).contains("llm: " + io.modelserve.controller.reconcile.Rollout.IN_PLACE);
    }

    @Test
    void aSurgingRolloutDoesNotSayInPlace() {
        cluster.store.addNode("n1", "8", 0);
        runningDeployment(spec("llm", 2));
        cluster.store.apply(spec("llm", 2).withJar("jar-v2").build());
        cluster.reconcile("llm");

        assertThat(report().problems()).noneMatch(p -> p.contains("in place"));
    }

    private ClusterReport report() {
        return ClusterReport.of(cluster.store, "head-1", 7);
    }

    private DeploymentSpec runningDeployment(Specs spec) {
        DeploymentSpec built = spec.build();
        cluster.store.apply(built);
        cluster.reconcile(built.name());
        cluster.agents.runAll(built.name());
        return built;
    }
}
