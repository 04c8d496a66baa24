package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.transport.PeerLiveness;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LostWorkRequeueTest {
    private final PeerLiveness liveness = new PeerLiveness(() -> 0L, PeerLiveness.DEFAULT_SUSPECT_LAPSE_NANOS);
    private final List<Set<String>> calls = new ArrayList<>();
    private final LostWorkRequeue requeue = new LostWorkRequeue("node-a", liveness,
            () -> Set.of("node-a", "node-b", "node-c"), live -> {
                calls.add(live);
                return 0;
            });

    @Test
    void runsAtOnceThenEveryTwoSecondsSparingOnlyNodesThatAreNotDead() {
        liveness.membersNow(List.of("m-a", "m-b", "m-c"));
        liveness.nodeSeen("node-a", "m-a");
        liveness.nodeSeen("node-b", "m-b");
        liveness.nodeSeen("node-c", "m-c");
        liveness.memberLeft("m-c");

        requeue.runIfDue(1_000_000);
        requeue.runIfDue(1_001_999);
        requeue.runIfDue(1_002_000);

        assertThat(calls).hasSize(2).allSatisfy(live -> assertThat(live).containsExactlyInAnyOrder("node-a", "node-b"));
    }
}
