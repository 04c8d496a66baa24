package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.ClusterEvent.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFeedTest {
    private static final List<ClusterEvent> EVENTS = List.of(
            new ClusterEvent(3, 30, Kind.REPLICA_FAILED, List.of("b"), "b-1", "b-1 failed"),
            new ClusterEvent(1, 10, Kind.LEADER, List.of(), "head", "head leads"),
            new ClusterEvent(2, 20, Kind.APPLY, List.of("a", "b"), "generation 1", "generation 1 applied"),
            new ClusterEvent(4, 40, Kind.REPLICA_STARTED, List.of("a"), "a-1", "a-1 running"));

    @Test
    void oldestFirstAfterTheCursor() {
        assertThat(EventFeed.select(EVENTS, 0, null, 500)).extracting(ClusterEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(EventFeed.select(EVENTS, 2, null, 500)).extracting(ClusterEvent::seq).containsExactly(3L, 4L);
        assertThat(EventFeed.select(EVENTS, 4, null, 500)).isEmpty();
    }

    @Test
    void aDeploymentSeesTheAppliesThatChangedItAndItsReplicas() {
        assertThat(EventFeed.select(EVENTS, 0, "b", 500)).extracting(ClusterEvent::seq).containsExactly(2L, 3L);
    }

    @Test
    void theLimitKeepsTheNewest() {
        assertThat(EventFeed.select(EVENTS, 0, null, 2)).extracting(ClusterEvent::seq).containsExactly(3L, 4L);
    }
}
