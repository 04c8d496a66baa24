package io.modelserve.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.AutoscaleDecision;
import io.modelserve.cluster.Autoscaling;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Autoscaling decisions with a hand-driven clock: delays, bounds, scale from zero. */
class AutoscalerTest {
    private long now = 1_000_000;
    private final Autoscaler autoscaler = new Autoscaler(() -> now);
    private final Map<String, AutoscaleDecision> decisions = new HashMap<>();
    private final Map<String, Long> demand = new HashMap<>();
    private final Map<String, Integer> queued = new HashMap<>();

    private static DeploymentSpec spec(int min, int max) {
        return DeploymentSpec.of("Auto", "auto", List.of("POST"), "x.Y", List.of(), List.of(), min, new Resources(100, 0),
                1, 5, 100, 30_000, Map.of()).withAutoscaling(new Autoscaling(min, max, 2, 5, 30));
    }

    private static List<ReplicaStatus> load(int... ongoing) {
        List<ReplicaStatus> statuses = new ArrayList<>();
        for (int i = 0; i < ongoing.length; i++) {
            statuses.add(new ReplicaStatus("Auto-" + i, "Auto", "v", "node-a", Device.CPU, ReplicaState.RUNNING, "", null, 0,
                    0, 0, ongoing[i]));
        }
        return statuses;
    }

    private int step(DeploymentSpec spec, List<ReplicaStatus> statuses, long advanceMillis) {
        now += advanceMillis;
        for (AutoscaleDecision d : autoscaler.decide(List.of(spec), statuses, decisions, demand, queued)) {
            decisions.put(d.deployment(), d);
        }
        return decisions.get("Auto").replicas();
    }

    @Test
    void scalesUpOnlyAfterTheUpscaleDelayAndWithinTheMaximum() {
        DeploymentSpec spec = spec(1, 4);
        assertThat(step(spec, load(0), 0)).isEqualTo(1);
        assertThat(step(spec, load(9), 1_000)).as("9 ongoing wants 5, but the delay has not passed").isEqualTo(1);
        assertThat(step(spec, load(9), 4_000)).isEqualTo(1);
        assertThat(step(spec, load(9), 1_000)).as("clamped to the maximum").isEqualTo(4);
        assertThat(decisions.get("Auto").reason()).contains("scaled up 1 -> 4", "9.0 ongoing", "target_ongoing 2");
    }

    @Test
    void aBurstShorterThanTheDelayChangesNothing() {
        DeploymentSpec spec = spec(1, 4);
        step(spec, load(0), 0);
        step(spec, load(8), 1_000);
        assertThat(step(spec, load(0), 3_000)).isEqualTo(1);
        assertThat(step(spec, load(8), 3_000)).as("the timer restarted").isEqualTo(1);
    }

    @Test
    void scalesDownAfterTheDownscaleDelayNeverBelowTheMinimum() {
        DeploymentSpec spec = spec(2, 6);
        step(spec, load(0, 0), 0);
        step(spec, load(10, 10), 1_000);
        assertThat(step(spec, load(10, 10), 5_000)).isEqualTo(6);
        assertThat(step(spec, load(0, 0, 0, 0, 0, 0), 1_000)).isEqualTo(6);
        assertThat(step(spec, load(0, 0, 0, 0, 0, 0), 29_000)).isEqualTo(6);
        assertThat(step(spec, load(0, 0, 0, 0, 0, 0), 1_000)).as("the minimum holds").isEqualTo(2);
    }

    @Test
    void aRequestWaitingOnADeploymentAtZeroStartsAReplicaAtOnce() {
        DeploymentSpec spec = spec(0, 3);
        assertThat(step(spec, load(), 0)).isZero();
        demand.put("Auto", now);
        assertThat(step(spec, load(), 100)).isEqualTo(1);
        assertThat(decisions.get("Auto").reason()).contains("scale from zero");
        // While the demand is fresh it does not scale back to zero, even with no load reported yet.
        assertThat(step(spec, load(0), 5_000)).isEqualTo(1);
        demand.clear();
        step(spec, load(0), 1_000);
        assertThat(step(spec, load(0), 30_000)).as("idle for downscale_delay_s").isZero();
    }

    @Test
    void fixedDeploymentsAreLeftAlone() {
        DeploymentSpec fixed = DeploymentSpec.of("Fixed", "f", List.of("POST"), "x.Y", List.of(), List.of(), 3,
                new Resources(100, 0), 1, 5, 100, 30_000, Map.of());
        assertThat(autoscaler.decide(List.of(fixed), load(50), Map.of(), Map.of())).isEmpty();
    }

    @Test
    void queuedWorkWakesADeploymentAtZeroAndKeepsItUpUntilTheQueueIsEmpty() {
        DeploymentSpec spec = spec(0, 3);
        assertThat(step(spec, load(), 0)).isZero();
        queued.put("Auto", 1);
        assertThat(step(spec, load(), 100)).as("no request came, but work waits in the queue").isEqualTo(1);
        assertThat(decisions.get("Auto").reason()).isEqualTo("1 queued request(s) waiting for a replica (scale from zero)");
        // Level-based: long after any request, a non-empty queue still keeps a replica.
        assertThat(step(spec, load(0), 60_000)).isEqualTo(1);
        assertThat(step(spec, load(0), 60_000)).isEqualTo(1);
        queued.clear();
        step(spec, load(0), 1_000);
        assertThat(step(spec, load(0), 30_000)).as("the queue is empty: idle for downscale_delay_s").isZero();
    }

    @Test
    void queuedWorkCountsAsLoad() {
        DeploymentSpec spec = spec(1, 4);
        step(spec, load(0), 0);
        queued.put("Auto", 5);
        step(spec, load(1), 1_000);
        assertThat(step(spec, load(1), 5_000)).as("1 ongoing + 5 queued for target 2").isEqualTo(3);
    }
}
