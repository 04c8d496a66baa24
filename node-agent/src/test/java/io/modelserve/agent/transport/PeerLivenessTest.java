package io.modelserve.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.transport.PeerLiveness.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerLivenessTest {
    private static final long LAPSE = TimeUnit.SECONDS.toNanos(15);
    private final AtomicLong now = new AtomicLong(1_000);
    private final PeerLiveness liveness = new PeerLiveness(now::get, LAPSE);
    private final List<String> died = new ArrayList<>();
    private final List<String> suspected = new ArrayList<>();

    PeerLivenessTest() {
        liveness.onDead(died::add);
        liveness.onSuspect(suspected::add);
    }

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aNodeNeverHeardOfIsLive() {
        assertThat(liveness.state("n9")).isEqualTo(State.LIVE);
    }

    @Test
    void aNodeWhoseMemberLeftIsDeadAndToldOnce() {
        liveness.membersNow(Set.of("m1", "m2"));
        liveness.nodeSeen("n1", "m1");
        liveness.nodeSeen("n2", "m2");

        liveness.memberLeft("m1");
        liveness.membersNow(Set.of("m2"));

        assertThat(liveness.state("n1")).isEqualTo(State.DEAD);
        assertThat(liveness.state("n2")).isEqualTo(State.LIVE);
        assertThat(died).containsExactly("n1");
    }

    @Test
    void aLeaveEventCountsBeforeAnyMemberSnapshot() {
        liveness.nodeSeen("n1", "m1");

        liveness.memberLeft("m1");

        assertThat(liveness.state("n1")).isEqualTo(State.DEAD);
        assertThat(died).containsExactly("n1");
    }

    @Test
    void aNodeSeenWithANewMemberLivesAgain() {
        liveness.membersNow(Set.of("m1"));
        liveness.nodeSeen("n1", "m1");
        liveness.memberLeft("m1");

        liveness.memberJoined("m1b");
        liveness.nodeSeen("n1", "m1b");

        assertThat(liveness.state("n1")).isEqualTo(State.LIVE);
        liveness.memberLeft("m1b");
        assertThat(died).containsExactly("n1", "n1");
    }

    @Test
    void aSnapshotWithoutTheMemberMeansDeadEvenWithoutAnEvent() {
        liveness.nodeSeen("n1", "m1");
        liveness.membersNow(Set.of("m2"));

        assertThat(liveness.state("n1")).isEqualTo(State.DEAD);
        assertThat(died).containsExactly("n1");
    }

    @Test
    void suspicionLastsUntilAProbeSentAfterItIsAnswered() {
        long probeSentBefore = liveness.now();
        advanceMillis(10);
        liveness.suspect("n1");
        liveness.suspect("n1");
        advanceMillis(5_000);

        assertThat(liveness.state("n1")).isEqualTo(State.SUSPECT);
        assertThat(liveness.isLive("n1")).isFalse();
        assertThat(suspected).containsExactly("n1");

        // An answer, or a probe sent before the suspicion, may have been on its way since before a freeze.
        liveness.heardFrom("n1");
        liveness.probeAnswered("n1", probeSentBefore);
        assertThat(liveness.state("n1")).isEqualTo(State.SUSPECT);

        liveness.probeAnswered("n1", liveness.now());
        assertThat(liveness.state("n1")).isEqualTo(State.LIVE);
    }

    @Test
    void suspicionLapsesWhenNothingEndsIt() {
        liveness.suspect("n1");
        advanceMillis(14_999);
        assertThat(liveness.state("n1")).isEqualTo(State.SUSPECT);

        advanceMillis(2);
        assertThat(liveness.state("n1")).isEqualTo(State.LIVE);

        liveness.suspect("n1");
        assertThat(suspected).containsExactly("n1", "n1");
    }

    @Test
    void deadWinsOverSuspectAndAnAnswerDoesNotRevive() {
        liveness.nodeSeen("n1", "m1");
        liveness.suspect("n1");
        liveness.memberLeft("m1");

        liveness.probeAnswered("n1", liveness.now());

        assertThat(liveness.state("n1")).isEqualTo(State.DEAD);
    }

    @Test
    void aNewMemberForTheNodeClearsSuspicionOfTheOldOne() {
        liveness.nodeSeen("n1", "m1");
        liveness.suspect("n1");

        liveness.nodeSeen("n1", "m1b");

        assertThat(liveness.state("n1")).isEqualTo(State.LIVE);
    }

    @Test
    void heardSinceCountsOnlyAnswersFromThatMomentOn() {
        liveness.heardFrom("n1");
        advanceMillis(1);
        long sent = liveness.now();

        assertThat(liveness.heardSince("n1", sent)).isFalse();
        assertThat(liveness.heardSince("n9", sent)).isFalse();

        advanceMillis(300);
        liveness.heardFrom("n1");
        assertThat(liveness.heardSince("n1", sent)).isTrue();
    }
}
