package io.modelserve.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which remote replica a request goes to next: {@link ReplicaChoice#remote}, a pure choice. */
class RemotePickTest {
    private static final List<RemoteReplica> REPLICAS = List.of(
            remote("n2-a", "n2"), remote("n2-b", "n2"), remote("n2-c", "n2"), remote("n3-a", "n3"), remote("n4-a", "n4"));

    private static RemoteReplica remote(String id, String node) {
        return new RemoteReplica(id, "echo", node, "http://" + node + ":8080");
    }

    // One seeded generator for the whole class: reproducible, and well spread over many picks.
    private final Random random = new Random(42);

    private RemoteReplica pick(Set<String> skipped, Set<String> mayHaveRunOn, Set<String> dead, Map<String, Integer> load) {
        return ReplicaChoice.remote(REPLICAS, skipped, mayHaveRunOn, node -> !dead.contains(node),
                id -> load.getOrDefault(id, 0), random);
    }

    @Test
    void aRerunNeverGoesBackToTheNodeWhereTheRequestMayHaveRunEvenToAnotherOfItsReplicas() {
        for (int i = 0; i < 200; i++) {
            RemoteReplica next = pick(Set.of("n2-a"), Set.of("n2"), Set.of(), Map.of());
            assertThat(next.node()).isIn("n3", "n4");
        }
    }

    @Test
    void theLeastLoadedLiveReplicaIsChosenAndTiesAreSpread() {
        assertThat(pick(Set.of(), Set.of(), Set.of(), Map.of("n2-a", 3, "n2-b", 2, "n2-c", 5, "n3-a", 1, "n4-a", 4)).replicaId())
                .isEqualTo("n3-a");
        assertThat(pick(Set.of(), Set.of(), Set.of("n3"), Map.of("n2-a", 3, "n2-b", 2, "n2-c", 5, "n3-a", 1, "n4-a", 4)).replicaId())
                .as("a node that is not live is passed over, however idle").isEqualTo("n2-b");
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            chosen.add(pick(Set.of(), Set.of(), Set.of(), Map.of()).replicaId());
        }
        assertThat(chosen).as("equal loads: every replica gets some").hasSize(REPLICAS.size());
    }

    @Test
    void nothingIsChosenWhenEveryCandidateIsRuledOut() {
        assertThat(pick(Set.of("n4-a"), Set.of("n2"), Set.of("n3"), Map.of())).isNull();
    }
}
