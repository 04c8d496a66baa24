package io.modelserve.controller.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.ClusterEvent.Kind;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.controller.reconcile.FakeClock;
import io.modelserve.controller.reconcile.FakeControllerStore;
import io.modelserve.sdk.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {
    private final FakeControllerStore store = new FakeControllerStore();
    private final FakeClock clock = new FakeClock(1_000);
    private final EventLog log = new EventLog(store, clock, "head-1");

    private static ReplicaStatus status(String id, ReplicaState state, String error, int restarts) {
        return new ReplicaStatus(id, "llm", "v1", "n1", Device.CPU, state, "", error, restarts, 0, 0, 0);
    }

    private List<ClusterEvent> timeline() {
        return store.events().stream().sorted(java.util.Comparator.comparingLong(ClusterEvent::seq)).toList();
    }

    @Test
    void theFirstPassOfATermIsABaselineAndSaysWhoLeads() {
        store.addNode("n1", "4", 0);
        store.putStatus(status("llm-1", ReplicaState.RUNNING, null, 0));

        log.pass();
        log.pass();

        assertThat(timeline()).extracting(ClusterEvent::seq, ClusterEvent::kind, ClusterEvent::message)
                .containsExactly(tuple(1L, Kind.LEADER, "head-1 leads the controller"));
    }

    @Test
    void replicaStartsFailuresAndStopsAreRecordedInOrderWithTheirReasons() {
        store.addNode("n1", "4", 0);
        log.pass();

        clock.advance(1_000);
        store.putStatus(status("llm-1", ReplicaState.STARTING, null, 0));
        log.pass();
        store.putStatus(status("llm-1", ReplicaState.RUNNING, null, 0));
        log.pass();
        clock.advance(1_000);
        store.putStatus(status("llm-1", ReplicaState.FAILED, "health check failed: timeout", 0));
        log.pass();
        log.pass(); // still FAILED: nothing new
        // Restarted and failed again between two passes: the restart count tells.
        store.putStatus(status("llm-1", ReplicaState.STARTING, "init failed: out of memory", 2));
        log.pass();
        store.removeStatus("llm-1");
        log.pass();

        assertThat(timeline()).extracting(ClusterEvent::kind, ClusterEvent::subject).containsExactly(
                tuple(Kind.LEADER, "head-1"), tuple(Kind.REPLICA_STARTED, "llm-1"), tuple(Kind.REPLICA_FAILED, "llm-1"),
                tuple(Kind.REPLICA_FAILED, "llm-1"), tuple(Kind.REPLICA_STOPPED, "llm-1"));
        List<ClusterEvent> events = timeline();
        assertThat(events.get(1).message()).isEqualTo("llm-1 running on n1 (cpu, version v1)");
        assertThat(events.get(1).atMillis()).isEqualTo(2_000);
        assertThat(events.get(2).message()).isEqualTo("llm-1 on n1 failed: health check failed: timeout");
        assertThat(events.get(2).atMillis()).isEqualTo(3_000);
        assertThat(events.get(3).message()).isEqualTo("llm-1 on n1 failed: init failed: out of memory (failure 2)");
        assertThat(events.get(4).message()).isEqualTo("llm-1 on n1 stopped: no longer assigned (scaled down, replaced or removed)");
        assertThat(events.get(4).deployments()).containsExactly("llm");
    }

    @Test
    void aReplicaFailingAgainBeforeThePassSawItRestartIsStillAFailure() {
        store.addNode("n1", "4", 0);
        store.putStatus(status("llm-1", ReplicaState.FAILED, "init failed: weights file is corrupt", 0));
        log.pass();
        store.putStatus(status("llm-1", ReplicaState.FAILED, "init failed: weights file is corrupt", 1));
        log.pass();
        store.putStatus(status("llm-1", ReplicaState.FAILED, "init failed: weights file is corrupt", 4));
        log.pass();

        assertThat(timeline()).extracting(ClusterEvent::kind, ClusterEvent::message).containsExactly(
                tuple(Kind.LEADER, "head-1 leads the controller"),
                tuple(Kind.REPLICA_FAILED, "llm-1 on n1 failed: init failed: weights file is corrupt (failure 2)"),
                tuple(Kind.REPLICA_FAILED, "llm-1 on n1 failed: init failed: weights file is corrupt"
                        + " (3 failures since the last look, 5 in all)"));
    }

    @Test
    void nodesJoiningAndLostAreRecorded() {
        store.addNode("n1", "4", 0);
        log.pass();
        store.addNode("n2", "4", 0);
        log.pass();
        store.putStatus(new ReplicaStatus("llm-2", "llm", "v1", "n2", Device.CPU, ReplicaState.RUNNING, "", null, 0, 0, 0, 0));
        log.pass();
        store.loseNode("n2");
        store.removeStatus("llm-2");
        log.pass();

        assertThat(timeline()).extracting(ClusterEvent::kind, ClusterEvent::message).containsExactly(
                tuple(Kind.LEADER, "head-1 leads the controller"), tuple(Kind.NODE_JOINED, "n2 joined the cluster"),
                tuple(Kind.REPLICA_STARTED, "llm-2 running on n2 (cpu, version v1)"),
                tuple(Kind.NODE_LOST, "n2 left the cluster or stopped answering"),
                tuple(Kind.REPLICA_STOPPED, "llm-2 on n2 stopped: its node n2 is gone"));
    }

    @Test
    void aNewLeaderContinuesTheTimelineAndNamesThePreviousOne() {
        log.pass();
        log.record(Kind.APPLY, List.of("llm"), "generation 1", "generation 1 applied");
        EventLog next = new EventLog(store, clock, "head-2");
        log.standDown();

        next.pass();

        assertThat(timeline()).extracting(ClusterEvent::seq, ClusterEvent::kind, ClusterEvent::message).containsExactly(
                tuple(1L, Kind.LEADER, "head-1 leads the controller"), tuple(2L, Kind.APPLY, "generation 1 applied"),
                tuple(3L, Kind.LEADER, "head-2 leads the controller (was head-1)"));
    }

    @Test
    void theTimelineIsBoundedOldestFirstOut() {
        EventLog small = new EventLog(store, clock, "head-1", 3);
        for (int i = 1; i <= 5; i++) {
            small.record(Kind.APPLY, List.of(), "generation " + i, "generation " + i);
        }
        assertThat(timeline()).extracting(ClusterEvent::subject).containsExactly("generation 3", "generation 4", "generation 5");
        assertThat(small.written()).hasSize(3);
    }

    @Test
    void entriesChangedBehindTheLeaderAreRestoredAndForeignOnesRemoved() {
        log.pass();
        log.record(Kind.APPLY, List.of("llm"), "generation 1", "generation 1 applied");
        List<ClusterEvent> mine = timeline();
        store.removeEvent(1);
        store.putEvent(new ClusterEvent(2, 0, Kind.APPLY, List.of("llm"), "generation 1", "forged"));
        store.putEvent(new ClusterEvent(99, 0, Kind.NODE_LOST, List.of(), "n9", "not written by the leader"));

        assertThat(log.pass()).isEqualTo(3);

        assertThat(timeline()).isEqualTo(mine);
    }
}
