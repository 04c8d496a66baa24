package io.modelserve.controller.admin;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.controller.admin.ClusterReport.DeploymentLine;
import io.modelserve.controller.reconcile.ReconcileHarness;
import org.junit.jupiter.api.Test;

/** {@code status} shows each version of a route with its share of the traffic, and converges like any deployment. */
class CanaryReportTest {
    private final ReconcileHarness cluster = new ReconcileHarness();

    private void running(DeploymentSpec spec) {
        cluster.store.apply(spec);
        cluster.reconcile(spec.name());
        cluster.agents.runAll(spec.name());
    }

    @Test
    void eachVersionShowsItsShareAndTheMainTheRest() {
        cluster.store.addNode("n1", "8", 0);
        DeploymentSpec main = spec("llm", 2).build();
        running(main);
        running(spec("llm@v2", 1).build().withRouteOf(main).withTraffic(10));
        running(spec("llm@v3", 1).build().withRouteOf(main).withTraffic(25));
        running(spec("other", 1).build());

        ClusterReport report = ClusterReport.of(cluster.store, "head-1", 1);

        assertThat(report.converged()).as(report.problems().toString()).isTrue();
        assertThat(report.deployments()).extracting(DeploymentLine::name, DeploymentLine::route, DeploymentLine::ready,
                DeploymentLine::traffic).containsExactly(
                        tuple("llm", "/llm", 2, 65),
                        tuple("llm@v2", "/llm", 1, 10),
                        tuple("llm@v3", "/llm", 1, 25),
                        tuple("other", "/other", 1, null));
    }
}
