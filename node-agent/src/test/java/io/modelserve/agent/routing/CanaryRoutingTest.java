package io.modelserve.agent.routing;

import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which version of a route a request goes to: the split, pinning, and the main version as the fallback. */
class CanaryRoutingTest {
    private static final DeploymentSpec MAIN = Specs.deployment("echo").build();
    private static final DeploymentSpec V2 = Specs.deployment("echo@v2").build().withRouteOf(MAIN).withTraffic(10);
    private static final DeploymentSpec V3 = Specs.deployment("echo@v3").build().withRouteOf(MAIN).withTraffic(25);

    private final ReplicaFixture fixture = new ReplicaFixture();

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    private static Map<String, Integer> countOverEveryRoll(List<DeploymentSpec> canaries, List<String> ready) {
        Map<String, Integer> counts = new HashMap<>();
        for (int roll = 0; roll < 10_000; roll++) {
            DeploymentSpec chosen = TrafficSplit.choose(MAIN, canaries, spec -> ready.contains(spec.name()), roll);
            counts.merge(chosen.name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void eachCanaryTakesExactlyItsShareOfTheRollsAndTheMainTheRest() {
        assertThat(countOverEveryRoll(List.of(V2, V3), List.of("echo@v2", "echo@v3")))
                .isEqualTo(Map.of("echo", 6_500, "echo@v2", 1_000, "echo@v3", 2_500));
        assertThat(TrafficSplit.mainShare(List.of(V2, V3))).isEqualTo(65);
    }

    @Test
    void aCanaryWithNoReadyReplicaGivesItsShareToTheMain() {
        assertThat(countOverEveryRoll(List.of(V2, V3), List.of("echo@v3")))
                .isEqualTo(Map.of("echo", 7_500, "echo@v3", 2_500));
    }

    @Test
    void zeroTrafficCanaryIsOnlyReachedByPinning() {
        DeploymentSpec silent = V2.withTraffic(0);
        assertThat(countOverEveryRoll(List.of(silent), List.of("echo@v2"))).isEqualTo(Map.of("echo", 10_000));
    }

    @Test
    void routeTableServesTheMainForTheRouteAndFindsVersionsByLabel() {
        RouteTable routes = new RouteTable();
        routes.update(List.of(V3, MAIN, V2));

        assertThat(routes.forRoute("echo")).contains(MAIN);
        assertThat(routes.canariesOf("echo")).containsExactly(V2, V3);
        assertThat(routes.version(MAIN, "main")).contains(MAIN);
        assertThat(routes.version(MAIN, "v3")).contains(V3);
        assertThat(routes.version(MAIN, "v4")).isEmpty();
        assertThat(routes.forDeployment("echo@v2")).contains(V2);
        assertThat(routes.describe()).isEqualTo(Map.of("/echo", Map.of("deployment", "echo", "methods", List.of("POST"),
                "traffic", Map.of("echo", 65, "echo@v2", 10, "echo@v3", 25))));

        routes.update(List.of(MAIN));
        assertThat(routes.canariesOf("echo")).isEmpty();
        assertThat(routes.version(MAIN, "v2")).isEmpty();
    }

    @Test
    void aRequestForACanaryWhoseReplicasAreGoneGoesToTheMain() {
        ScriptedDirectory directory = new ScriptedDirectory();
        Replica draining = fixture.create(V2, "echo@v2-1", ScriptedBackend.upperCase());
        Replica main = fixture.running(MAIN, "echo-1", ScriptedBackend.upperCase());
        directory.answer("echo@v2", List.of(draining), List.of());
        directory.answer("echo", List.of(main));
        ReplicaRouter router = new ReplicaRouter(directory);

        assertThat(router.dispatch(V2, text("hi"), MAIN)).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "echo-1"));
    }

    @Test
    void aPinnedRequestHasNoFallback() {
        ScriptedDirectory directory = new ScriptedDirectory();
        Replica main = fixture.running(MAIN, "echo-1", ScriptedBackend.upperCase());
        directory.answer("echo", List.of(main));
        ReplicaRouter router = new ReplicaRouter(directory);

        assertThat(router.hasReady("echo")).isTrue();
        assertThat(router.hasReady("echo@v2")).isFalse();
        Outcome outcome = router.dispatch(V2.withReplicas(0), text("hi"), null);
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).message()).contains("no replica of echo@v2 is ready");
    }
}
