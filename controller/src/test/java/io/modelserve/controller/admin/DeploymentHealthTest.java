package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.ReplicaState;
import io.modelserve.controller.admin.ClusterReport.ReplicaLine;
import io.modelserve.controller.admin.DeploymentHealth.RecentTraffic;
import io.modelserve.controller.admin.DeploymentHealth.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentHealthTest {
    private static ReplicaLine replica(String id, ReplicaState state, String reason) {
        return replica(id, state, reason, "v1");
    }

    private static ReplicaLine replica(String id, ReplicaState state, String reason, String version) {
        return new ReplicaLine("llm", id, state == ReplicaState.PENDING && reason != null && !reason.startsWith("waiting for n")
                ? "-" : "n1", "cpu", state, reason, version, 0, 0, 0, 0);
    }

    private static RecentTraffic traffic(double requests, double serverErrors) {
        return new RecentTraffic(requests, serverErrors, 30_000);
    }

    @Test
    void allReplicasRunningWithFewErrorsIsHealthy() {
        DeploymentHealth health = DeploymentHealth.judge(2, 2, "v1", List.of(replica("a", ReplicaState.RUNNING, null),
                replica("b", ReplicaState.RUNNING, null)), traffic(1000, 10));
        assertThat(health.state()).isEqualTo(State.HEALTHY);
        assertThat(health.reason()).isEqualTo("2 of 2 replicas ready, 1.0% 5xx in the last 30 s");
        assertThat(health.errorRate()).isEqualTo(0.01);
    }

    @Test
    void manyServerErrorsDegradeAHealthyLookingDeployment() {
        DeploymentHealth health = DeploymentHealth.judge(1, 1, "v1", List.of(replica("a", ReplicaState.RUNNING, null)),
                traffic(600, 600));
        assertThat(health.state()).isEqualTo(State.DEGRADED);
        assertThat(health.reason()).isEqualTo("100.0% of answers were 5xx in the last 30 s (600 of 600)");
        assertThat(health.errorRate()).isEqualTo(1.0);
    }

    @Test
    void theErrorRateThresholdIsFivePercentOfAtLeastTenAnswers() {
        List<ReplicaLine> running = List.of(replica("a", ReplicaState.RUNNING, null));
        assertThat(DeploymentHealth.judge(1, 1, "v1", running, traffic(100, 4.9)).state()).isEqualTo(State.HEALTHY);
        assertThat(DeploymentHealth.judge(1, 1, "v1", running, traffic(100, 5)).state()).isEqualTo(State.DEGRADED);
        assertThat(DeploymentHealth.judge(1, 1, "v1", running, traffic(9, 9)).state()).as("too few to judge")
                .isEqualTo(State.HEALTHY);
    }

    @Test
    void aFailedReplicaMakesItFailingWhateverTheTraffic() {
        DeploymentHealth health = DeploymentHealth.judge(2, 1, "v1", List.of(replica("a", ReplicaState.RUNNING, null),
                replica("b", ReplicaState.FAILED, "init failed: weights file is corrupt (retrying with backoff)")), traffic(100, 50));
        assertThat(health.state()).isEqualTo(State.FAILING);
        assertThat(health.reason()).isEqualTo("replica b failed: init failed: weights file is corrupt (retrying with backoff)");
    }

    @Test
    void aReplicaThatFitsNowhereIsFailingButOneNotYetPlacedIsConverging() {
        DeploymentHealth unplaceable = DeploymentHealth.judge(1, 0, "v1",
                List.of(replica("a", ReplicaState.PENDING, "needs 4 GPUs, the largest node has 1")), RecentTraffic.NONE);
        assertThat(unplaceable.state()).isEqualTo(State.FAILING);
        assertThat(unplaceable.reason()).isEqualTo("replica a cannot be placed: needs 4 GPUs, the largest node has 1");

        DeploymentHealth waiting = DeploymentHealth.judge(1, 0, "v1",
                List.of(replica("a", ReplicaState.PENDING, "waiting for placement")), RecentTraffic.NONE);
        assertThat(waiting.state()).isEqualTo(State.CONVERGING);
        assertThat(waiting.reason()).isEqualTo("0 of 1 replicas ready; a PENDING: waiting for placement");
        assertThat(waiting.errorRate()).isNull();
    }

    @Test
    void anOldVersionOrADrainingReplicaIsConverging() {
        assertThat(DeploymentHealth.judge(1, 1, "v2", List.of(replica("a", ReplicaState.RUNNING, null, "v1"),
                replica("b", ReplicaState.RUNNING, null, "v2")), RecentTraffic.NONE).reason()).isEqualTo("replacing a of version v1");
        assertThat(DeploymentHealth.judge(1, 1, "v1", List.of(replica("a", ReplicaState.RUNNING, null),
                replica("b", ReplicaState.DRAINING, "finishing queued requests")), RecentTraffic.NONE))
                .extracting(DeploymentHealth::state, DeploymentHealth::reason)
                .containsExactly(State.CONVERGING, "b DRAINING: finishing queued requests");
    }

    @Test
    void scaledToZeroIsHealthy() {
        assertThat(DeploymentHealth.judge(0, 0, "v1", List.of(), RecentTraffic.NONE))
                .extracting(DeploymentHealth::state, DeploymentHealth::reason).containsExactly(State.HEALTHY, "scaled to zero");
    }
}
