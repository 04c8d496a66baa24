package io.modelserve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Cluster state arrives as JSON text written by other nodes (a newer version, a buggy one, or anyone
 * on the cluster network): reading any record type either gives a value or throws the codec's one
 * documented {@link IllegalArgumentException}, never anything else.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code ClusterJsonFuzzTestInputs/} as
 * ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class ClusterJsonFuzzTest {
    private static final List<Class<?>> RECORDS = List.of(AppliedConfig.class, Artifact.class, DeploymentSpec.class,
            LeaderLease.class, NodeStatus.class, ReplicaAssignment.class, ReplicaStatus.class, Resources.class,
            ServeSettings.class);

    @FuzzTest(maxDuration = "30s")
    void read(FuzzedDataProvider data) {
        Class<?> type = data.pickValue(RECORDS);
        String json = data.consumeRemainingAsString();
        Object value;
        try {
            value = ClusterJson.read(json, type);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).startsWith("cannot decode " + type.getSimpleName());
            return;
        }
        if (value != null) {
            // What was read can be written back: a node re-publishing state must not choke on it.
            assertThat(ClusterJson.write(value)).isNotBlank();
        }
    }
}
