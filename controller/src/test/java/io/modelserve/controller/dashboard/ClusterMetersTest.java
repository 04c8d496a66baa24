package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.controller.admin.ClusterReport;
import io.modelserve.controller.admin.DeploymentHealth;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ClusterMeters meters = new ClusterMeters(registry);

    private static ClusterReport report(DeploymentHealth.State state) {
        return new ClusterReport("head", 1, true, List.of(), List.of(), List.of(),
                List.of(new ClusterReport.DeploymentLine("bad", "/bad", List.of("POST"), 1, 1, "v1", "x.Bad", "Bad", null,
                        new DeploymentHealth(state, "why", 0.5))), List.of(), List.of());
    }

    private double health(String state) {
        return registry.get("modelserve.deployment.health").tags("deployment", "bad", "state", state).gauge().value();
    }

    @Test
    void theJudgedStateIsOneAndTheOthersZero() {
        meters.update(report(DeploymentHealth.State.DEGRADED));
        assertThat(health("DEGRADED")).isEqualTo(1);
        assertThat(health("HEALTHY")).isZero();
        assertThat(health("FAILING")).isZero();

        meters.update(report(DeploymentHealth.State.HEALTHY));
        assertThat(health("DEGRADED")).isZero();
        assertThat(health("HEALTHY")).isEqualTo(1);
    }

    private static ClusterReport withReplicas(List<ClusterReport.ReplicaLine> replicas) {
        return new ClusterReport("head", 1, true, List.of(), List.of(), List.of(),
                List.of(new ClusterReport.DeploymentLine("bad", "/bad", List.of("POST"), 1, 1, "v1", "x.Bad", "Bad", null,
                        new DeploymentHealth(DeploymentHealth.State.HEALTHY, "", null))), replicas, List.of());
    }

    private static ClusterReport.ReplicaLine replica(String id, int restarts) {
        return new ClusterReport.ReplicaLine("bad", id, "n1", "cpu", io.modelserve.cluster.ReplicaState.RUNNING, "", "v1",
                restarts, 0, 0, 0);
    }

    @Test
    void restartsAreACounterPerLiveReplicaThatNeverGoesBack() {
        meters.update(withReplicas(List.of(replica("bad-1", 2), replica("bad-2", 0))));
        assertThat(registry.get("modelserve.replica.restarts").tags("replica", "bad-1").functionCounter().count()).isEqualTo(2);

        // A status read from an older write says fewer: the counter stays where it was.
        meters.update(withReplicas(List.of(replica("bad-1", 1), replica("bad-2", 1))));
        assertThat(registry.get("modelserve.replica.restarts").tags("replica", "bad-1").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("modelserve.replica.restarts").tags("replica", "bad-2").functionCounter().count()).isEqualTo(1);

        meters.update(withReplicas(List.of(replica("bad-2", 3))));
        assertThat(registry.find("modelserve.replica.restarts").tags("replica", "bad-1").functionCounter())
                .as("a replica gone takes its series with it").isNull();
        assertThat(registry.get("modelserve.replica.restarts").tags("replica", "bad-2").functionCounter().count()).isEqualTo(3);
    }
}
