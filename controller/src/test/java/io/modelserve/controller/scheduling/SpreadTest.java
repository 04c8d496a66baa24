package io.modelserve.controller.scheduling;

import static io.modelserve.controller.scheduling.Fixtures.node;
import static io.modelserve.controller.scheduling.Fixtures.request;
import static io.modelserve.controller.scheduling.Fixtures.running;
import static io.modelserve.controller.scheduling.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.sdk.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void replicasOfOneDeploymentGoToDifferentNodes() {
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0"), request("b", "llm", "1", "0"), request("c", "llm", "1", "0")),
                view(node("n1", "8", 0), node("n2", "8", 0), node("n3", "8", 0)));

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n1", "n2", "n3");
    }

    @Test
    void existingReplicasCountTowardTheSpread() {
        ClusterView cluster = view(List.of(node("n1", "8", 0), node("n2", "8", 0)),
                running("old", "llm", "n1", "1", "0", Device.CPU));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")), cluster);

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n2");
    }

    @Test
    void otherDeploymentsDoNotCountTowardTheSpreadButDoTowardUtilisation() {
        // n1 holds one replica of another deployment: no llm on either node, so the tie goes to the
        // node with more free CPU, n2.
        ClusterView cluster = view(List.of(node("n1", "8", 0), node("n2", "8", 0)),
                running("other", "tok", "n1", "1", "0", Device.CPU));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")), cluster);

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n2");
    }

    @Test
    void spreadComesBeforeUtilisation() {
        // n1 is nearly empty but already runs an llm replica; n2 is busy but runs none.
        ClusterView cluster = view(List.of(node("n1", "64", 0), node("n2", "4", 0)),
                running("old", "llm", "n1", "1", "0", Device.CPU),
                running("busy", "tok", "n2", "3", "0", Device.CPU));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")), cluster);

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n2");
    }

    @Test
    void utilisationIsAFractionOfCapacityNotAnAbsoluteAmount() {
        // n1: 3 of 4 free (75%); n2: 4 of 16 free (25%), although n2 has more free cores.
        ClusterView cluster = view(List.of(node("n1", "4", 0), node("n2", "16", 0)),
                running("x", "tok", "n1", "1", "0", Device.CPU),
                running("y", "tok", "n2", "12", "0", Device.CPU));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")), cluster);

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n1");
    }

    @Test
    void fullTiesGoToTheLowestNodeIdWhateverTheInputOrder() {
        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")),
                view(node("node-c", "8", 0), node("node-a", "8", 0), node("node-b", "8", 0)));

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("node-a");
    }

    @Test
    void stacksOnOneNodeWhenOnlyThatNodeFits() {
        // only n1 has a GPU, so every GPU replica of the deployment lands there despite the spread rule.
        PlacementResult result = ReplicaScheduler.place(
                List.of(request("a", "llm", "1", "0.5"), request("b", "llm", "1", "0.5")),
                view(node("n1", "8", 1), node("n2", "8", 0)));

        assertThat(result.placed()).extracting(Placement::nodeId).containsExactly("n1", "n1");
    }

    @Test
    void allocationsOnNodesNotInTheViewAreIgnored() {
        // "gone" left the cluster: its replica neither uses capacity nor counts toward the spread.
        ClusterView cluster = view(List.of(node("n1", "1", 0)),
                running("old", "llm", "gone", "1", "0", Device.CPU));

        PlacementResult result = ReplicaScheduler.place(List.of(request("a", "llm", "1", "0")), cluster);

        assertThat(result.placed()).containsExactly(new Placement("a", "n1", Device.CPU));
    }
}
