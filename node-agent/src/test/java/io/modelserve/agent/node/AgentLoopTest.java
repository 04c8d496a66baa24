package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent pass with a fake store, fake replicas and a manual clock: every step is a call, nothing sleeps. */
class AgentLoopTest {
    private final FakeAgentStore store = new FakeAgentStore();
    private final ManualClock clock = new ManualClock(1_000_000);
    private final List<FakeReplica> created = new ArrayList<>();
    private final AgentLoop<FakeReplica> loop = new AgentLoop<>("node-test", store, (assignment, restarts, previousError) -> {
        FakeReplica replica = new FakeReplica(assignment, restarts, previousError);
        created.add(replica);
        return replica;
    }, RestartPolicy.DEFAULT, clock, (member, now) -> new NodeStatus("node-test", member, "127.0.0.1",
            "http://127.0.0.1:8000", 1000, 0, false, now));

    private final DeploymentSpec echo = Specs.deployment("echo").config(Map.of("greeting", "hello")).build();

    private FakeReplica only() {
        assertThat(loop.replicas()).hasSize(1);
        return loop.replicas().getFirst();
    }

    private FakeReplica runningReplica() {
        store.apply(echo);
        store.assign(Specs.assignment(echo, "echo-1"));
        loop.pass();
        FakeReplica replica = only().running();
        loop.pass();
        return replica;
    }

    @Test
    void startsWhatIsAssignedAndMissingOnce() {
        store.apply(echo);
        store.assign(Specs.assignment(echo, "echo-1"));

        loop.pass();
        loop.pass();

        assertThat(created).singleElement().satisfies(r -> assertThat(r.calls).containsExactly("start"));
        assertThat(store.status("echo-1")).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(ReplicaState.STARTING);
            assertThat(s.node()).isEqualTo("node-test");
        });
    }

    @Test
    void drainsWhatIsNoLongerAssignedAndForgetsItOnceStopped() {
        FakeReplica replica = runningReplica();

        store.unassign("echo-1");
        loop.pass();
        assertThat(replica.calls).containsExactly("start", "drain");
        assertThat(store.status("echo-1")).hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(ReplicaState.DRAINING));

        loop.pass();
        assertThat(replica.calls).as("draining: asked once").containsExactly("start", "drain");
        replica.phase = Replica.Phase.STOPPED;
        loop.pass();

        assertThat(loop.replicas()).isEmpty();
        assertThat(store.status("echo-1")).isEmpty();
    }

    @Test
    void restartsAFailedReplicaAfterABackoffThatDoubles() {
        FakeReplica first = runningReplica();
        first.failed("init threw");

        loop.pass();
        assertThat(created).hasSize(1);
        clock.advance(999);
        loop.pass();
        assertThat(created).as("before the first backoff of 1 s").hasSize(1);
        clock.advance(1);
        loop.pass();

        assertThat(created).hasSize(2);
        FakeReplica second = created.get(1);
        assertThat(second.calls).containsExactly("start");
        assertThat(second.restarts).isEqualTo(1);
        assertThat(second.previousError).isEqualTo("init threw");
        assertThat(store.status("echo-1")).hasValueSatisfying(s -> assertThat(s.restarts()).isEqualTo(1));

        second.failed("init threw again");
        loop.pass();
        clock.advance(1_999);
        loop.pass();
        assertThat(created).as("the second backoff is 2 s").hasSize(2);
        clock.advance(1);
        loop.pass();
        assertThat(created).hasSize(3);
        assertThat(created.get(2).restarts).isEqualTo(2);
    }

    @Test
    void aRestartStartsFromTheLatestDesiredConfig() {
        FakeReplica first = runningReplica();
        DeploymentSpec changed = Specs.deployment("echo").config(Map.of("greeting", "bonjour")).build();
        store.apply(changed);
        first.failed("crashed");
        loop.pass();
        clock.advance(1_000);
        loop.pass();

        assertThat(created.get(1).assignment.spec().config()).containsEntry("greeting", "bonjour");
    }

    @Test
    void reconfiguresInPlaceWhenTheConfigChangesAndOnlyOnce() {
        FakeReplica replica = runningReplica();

        store.apply(Specs.deployment("echo").config(Map.of("greeting", "bonjour")).build());
        loop.pass();
        loop.pass();

        assertThat(replica.reconfigurations).containsExactly(Map.of("greeting", "bonjour"));
        assertThat(created).as("no restart for a config change").hasSize(1);
    }

    @Test
    void theWatchdogReplacesAHungReplicaWhichIsThenRestarted() {
        FakeReplica hung = runningReplica();
        hung.hung = true;

        loop.pass();

        assertThat(hung.calls).contains("abandon");
        assertThat(store.status("echo-1")).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(ReplicaState.FAILED);
            assertThat(s.lastError()).contains("did not return");
        });
        loop.pass();
        clock.advance(1_000);
        loop.pass();
        assertThat(created).hasSize(2);
    }

    @Test
    void loadChangesAreWrittenAtMostOncePerRefreshButStateChangesAtOnce() {
        FakeReplica replica = runningReplica();
        int before = store.statusWrites.size();

        // A busy second: the load changes at every pass, twenty passes.
        clock.advance(StatusPublisher.STATUS_REFRESH_MS);
        for (int i = 1; i <= 20; i++) {
            replica.ongoing = i;
            loop.pass();
            clock.advance(50);
        }
        assertThat(store.statusWrites.size() - before).as("20 load changes in 1 s").isEqualTo(1);

        replica.ongoing = 7;
        clock.advance(StatusPublisher.STATUS_REFRESH_MS - 1_000);
        loop.pass();
        assertThat(store.statusWrites.size() - before).as("2 s after the last write").isEqualTo(2);
        assertThat(store.status("echo-1")).hasValueSatisfying(s -> assertThat(s.ongoing()).isEqualTo(7));

        replica.failed("out of memory");
        loop.pass();
        assertThat(store.statusWrites.size() - before).as("a state change is written at once").isEqualTo(3);
    }

    @Test
    void anUnchangedReplicaIsNotWrittenAgain() {
        runningReplica();
        int before = store.statusWrites.size();

        for (int i = 0; i < 10; i++) {
            clock.advance(5_000);
            loop.pass();
        }

        assertThat(store.statusWrites.size()).isEqualTo(before);
    }

    @Test
    void theNodeIsAnnouncedEveryFewSecondsAndEverythingAgainUnderANewMemberIdentity() {
        runningReplica();
        int nodeWrites = store.nodeWrites.size();
        int statusWrites = store.statusWrites.size();

        clock.advance(NodeAnnouncer.ANNOUNCE_EVERY_MS);
        loop.pass();
        assertThat(store.nodeWrites).hasSize(nodeWrites + 1);
        assertThat(store.statusWrites).hasSize(statusWrites);

        store.member = "member-2"; // a split healed: this node is a new member
        loop.pass();

        assertThat(store.nodeWrites.getLast().memberUuid()).isEqualTo("member-2");
        assertThat(store.statusWrites).hasSize(statusWrites + 1);
    }

    @Test
    void leavingRemovesWhatTheNodePublished() {
        runningReplica();

        loop.unpublish();

        assertThat(store.status("echo-1")).isEmpty();
        assertThat(store.nodeWrites).isEmpty();
    }
}
