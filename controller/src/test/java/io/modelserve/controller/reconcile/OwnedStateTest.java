package io.modelserve.controller.reconcile;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ServeSettings;
import io.modelserve.controller.state.StateDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader restores what it owns: entries deleted, altered or added behind its back are put right
 * on the next pass; its record survives a restart in state_dir and the generation continues.
 */
class OwnedStateTest {
    @TempDir
    Path stateDir;

    private final FakeControllerStore store = new FakeControllerStore();
    private final FakeClock clock = new FakeClock(1_000_000);
    private final FakeNodeRuntime agents = new FakeNodeRuntime(store, clock);
    private OwnedState owned;
    private ControllerLoop loop;

    static final DeploymentSpec LLM = spec("llm", 2).build();
    static final DeploymentSpec OCR = spec("ocr", 1).build();

    @AfterEach
    void close() {
        loop.close();
    }

    private void startLeader() {
        owned = new OwnedState(Optional.of(new StateDirectory(stateDir)));
        loop = new ControllerLoop(store, clock, new SimpleMeterRegistry(), owned,
                new io.modelserve.controller.events.EventLog(store, clock, "this head"));
    }

    private static AppliedConfig applied(long generation, String text) {
        return new AppliedConfig("/etc/conf.ini", text, new ServeSettings(8000, 8265, "c", "/a", "/m", "/l", "", 65536),
                generation, 1_000L * generation);
    }

    /** An apply as ConfigApplier makes it: the next generation, by conditional replace. */
    private boolean apply(long generation, DeploymentSpec... specs) {
        return owned.commit(store, owned.applied(), applied(generation, "gen " + generation), List.of(specs));
    }

    private void converge() {
        loop.pass();
        agents.runAll("llm");
        agents.runAll("ocr");
        loop.pass();
    }

    @Test
    void aDeletedDeploymentEntryIsRestoredOnTheNextPassAndItsReplicasKeepRunning() {
        store.addNode("n1", "8", 0);
        startLeader();
        owned.takeOver(store);
        assertThat(apply(1, LLM, OCR)).isTrue();
        converge();
        List<String> before = ids("ocr");

        store.unapply("ocr");
        List<OwnedState.Restoration> restored = owned.restore(store);
        loop.pass();

        assertThat(restored).extracting(Object::toString).containsExactly("restored deployment ocr (deleted)");
        assertThat(store.desired()).contains(OCR);
        assertThat(ids("ocr")).isEqualTo(before);
    }

    @Test
    void aDeploymentAlteredBehindTheLeadersBackIsRewrittenAsApplied() {
        store.addNode("n1", "8", 0);
        startLeader();
        owned.takeOver(store);
        apply(1, LLM, OCR);
        converge();

        store.apply(spec("llm", 2).withConfig(Map.of("injected", "yes")).build());
        store.apply(spec("evil", 1).build());
        loop.pass();

        assertThat(store.desired()).containsExactlyInAnyOrder(LLM, OCR);
        assertThat(store.assignmentsOf("evil")).isEmpty();
        assertThat(owned.restore(store)).as("restored once, then quiet").isEmpty();
    }

    @Test
    void deletedAlteredAndAddedAssignmentsArePutRightOnTheNextPass() {
        store.addNode("n1", "8", 0);
        store.addNode("n2", "8", 0);
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        converge();
        List<ReplicaAssignment> mine = store.assignmentsOf("llm");
        ReplicaAssignment first = mine.get(0);
        ReplicaAssignment second = mine.get(1);

        store.removeAssignmentBehindTheLeader(first.replicaId());
        store.putAssignmentBehindTheLeader(second.placedOn(second.node().equals("n1") ? "n2" : "n1", second.device()));
        store.putAssignmentBehindTheLeader(new ReplicaAssignment("llm-forged", LLM, "n1", first.device(), null, 0));
        List<OwnedState.Restoration> restored = owned.restore(store);

        assertThat(restored).extracting(Object::toString).containsExactlyInAnyOrder(
                "restored assignment " + first.replicaId() + " (deleted)",
                "restored assignment " + second.replicaId() + " (altered)",
                "removed assignment llm-forged (added, not written by the leader)");
        assertThat(store.assignmentsOf("llm")).containsExactlyInAnyOrderElementsOf(mine);
    }

    @Test
    void aDeletedAppliedEntryIsRestored() {
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);

        store.deleteApplied();
        loop.pass();

        assertThat(store.applied()).contains(applied(1, "gen 1"));
    }

    @Test
    void theRecordRoundTripsThroughStateDir() {
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        apply(2, LLM, OCR);

        StateDirectory.Saved saved = new StateDirectory(stateDir).load().orElseThrow();

        assertThat(saved.applied()).isEqualTo(applied(2, "gen 2"));
        assertThat(saved.deployments()).containsExactly(LLM, OCR);
        new StateDirectory(stateDir).saveMembers(List.of("10.0.0.1:5701", "10.0.0.2:5701"));
        assertThat(new StateDirectory(stateDir).members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
        assertThat(stateDir.toFile().list()).containsExactlyInAnyOrder("applied.json", "members"); // no temp files left
    }

    @Test
    void aLeaderRestartedIntoAnEmptyClusterContinuesItsGenerationFromDisk() {
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        apply(2, LLM, OCR);
        loop.close();

        FakeControllerStore lost = new FakeControllerStore(); // every member was gone
        OwnedState restarted = new OwnedState(Optional.of(new StateDirectory(stateDir)));
        restarted.takeOver(lost);
        restarted.restore(lost);

        assertThat(lost.applied().map(AppliedConfig::generation)).contains(2L);
        assertThat(lost.desired()).containsExactlyInAnyOrder(LLM, OCR);
        assertThat(restarted.commit(lost, restarted.applied(), applied(3, "gen 3"), List.of(LLM))).isTrue();
    }

    @Test
    void aLeaderRestartedIntoARunningClusterAdoptsItsAssignmentsAndANewerGeneration() {
        store.addNode("n1", "8", 0);
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        converge();
        List<ReplicaAssignment> running = store.assignmentsOf("llm");
        loop.close();
        // Meanwhile another head applied generation 5 (its record, not this one's disk, is the newest).
        store.putApplied(applied(5, "gen 5"));

        startLeader();
        loop.pass();

        assertThat(store.assignmentsOf("llm")).isEqualTo(running);
        assertThat(owned.applied().map(AppliedConfig::generation)).contains(5L);
        assertThat(new StateDirectory(stateDir).load().orElseThrow().applied().generation()).isEqualTo(5);
        assertThat(apply(6, LLM)).isTrue();
    }

    @Test
    void anApplyRacingAnotherWritesNothing() {
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        Optional<AppliedConfig> readByUs = owned.applied();
        // The other head wins the conditional replace with generation 2 first.
        assertThat(store.replaceApplied(readByUs, applied(2, "theirs"))).isTrue();

        boolean ours = owned.commit(store, readByUs, applied(2, "ours"), List.of(LLM, OCR));

        assertThat(ours).isFalse();
        assertThat(store.applied()).contains(applied(2, "theirs"));
        assertThat(store.desired()).containsExactly(LLM);
    }

    @Test
    void aStandbyRestoresNothing() {
        startLeader();
        owned.takeOver(store);
        apply(1, LLM);
        loop.setActive(false);

        store.unapply("llm");

        assertThat(owned.restore(store)).isEmpty();
        assertThat(store.desired()).isEmpty();
    }

    private List<String> ids(String deployment) {
        return store.assignmentsOf(deployment).stream().map(ReplicaAssignment::replicaId).sorted().toList();
    }
}
