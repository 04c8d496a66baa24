package io.modelserve.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.agent.runtime.Replica.Phase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every transition of a replica's phase, the first cause kept, and compare-and-set under contention. */
class LifecycleTest {
    private static final Map<Phase, Set<Phase>> ALLOWED = Map.of(
            Phase.STARTING, EnumSet.of(Phase.RUNNING, Phase.DRAINING, Phase.FAILED),
            Phase.RUNNING, EnumSet.of(Phase.DRAINING, Phase.FAILED),
            Phase.DRAINING, EnumSet.of(Phase.STOPPED, Phase.FAILED),
            Phase.FAILED, EnumSet.noneOf(Phase.class),
            Phase.STOPPED, EnumSet.noneOf(Phase.class));

    private final AtomicInteger changes = new AtomicInteger();

    @Test
    void theTransitionTableIsExactlyTheDocumentedOne() {
        for (Phase from : Phase.values()) {
            for (Phase to : Phase.values()) {
                assertThat(Lifecycle.allows(from, to)).as(from + " -> " + to).isEqualTo(ALLOWED.get(from).contains(to));
            }
        }
    }

    @Test
    void everyAllowedMoveHappensFromItsPhaseOnlyAndTellsTheListener() {
        for (Phase from : Phase.values()) {
            for (Phase to : ALLOWED.get(from)) {
                if (to == Phase.FAILED) {
                    continue; // failing has its own entry, fail(), tested below
                }
                for (Phase actual : Phase.values()) {
                    Lifecycle lifecycle = at(actual);
                    int before = changes.get();
                    boolean moved = lifecycle.move(from, to);
                    assertThat(moved).as("move(" + from + ", " + to + ") at " + actual).isEqualTo(actual == from);
                    assertThat(lifecycle.phase()).isEqualTo(moved ? to : actual);
                    assertThat(changes.get() - before).isEqualTo(moved ? 1 : 0);
                }
            }
        }
    }

    @Test
    void aMoveThatIsNoTransitionIsAProgrammingError() {
        Lifecycle lifecycle = new Lifecycle("r", null, changes::incrementAndGet);
        assertThatThrownBy(() -> lifecycle.move(Phase.STOPPED, Phase.RUNNING)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lifecycle.move(Phase.RUNNING, Phase.STARTING)).isInstanceOf(IllegalArgumentException.class);
        assertThat(lifecycle.phase()).isEqualTo(Phase.STARTING);
    }

    @Test
    void anyLivePhaseFailsAndTheFirstCauseStays() {
        for (Phase live : List.of(Phase.STARTING, Phase.RUNNING, Phase.DRAINING)) {
            Lifecycle lifecycle = at(live);
            assertThat(lifecycle.fail("init() did not return within 300000 ms")).isTrue();
            // The killed child's cancelled call arrives later; it must not rename the cause.
            assertThat(lifecycle.fail("java.util.concurrent.CancellationException")).isFalse();
            lifecycle.report("reconfigure failed");
            assertThat(lifecycle.state()).isEqualTo(new Lifecycle.State(Phase.FAILED, "init() did not return within 300000 ms"));
        }
        Lifecycle stopped = at(Phase.STOPPED);
        assertThat(stopped.fail("late")).isFalse();
        assertThat(stopped.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void onlyTheOwnerOfTheFirstCauseCanAddToIt() {
        Lifecycle lifecycle = at(Phase.RUNNING);
        lifecycle.fail("inference() did not return within 5000 ms");

        assertThat(lifecycle.refine("something else", "x")).isFalse();
        assertThat(lifecycle.refine("inference() did not return within 5000 ms",
                "inference() did not return within 5000 ms (child JVM ran out of memory)")).isTrue();

        assertThat(lifecycle.lastError()).isEqualTo("inference() did not return within 5000 ms (child JVM ran out of memory)");
        assertThat(at(Phase.RUNNING).refine(null, "x")).isFalse();
    }

    @Test
    void aReportedErrorKeepsThePhase() {
        Lifecycle lifecycle = at(Phase.RUNNING);
        lifecycle.report("reconfigure failed, previous configuration kept: bad");
        assertThat(lifecycle.state()).isEqualTo(new Lifecycle.State(Phase.RUNNING, "reconfigure failed, previous configuration kept: bad"));
    }

    @Test
    void thePreviousErrorIsShownUntilSomethingNewerHappens() {
        Lifecycle lifecycle = new Lifecycle("r", "child JVM exited with code 3", changes::incrementAndGet);
        lifecycle.move(Phase.STARTING, Phase.RUNNING);
        assertThat(lifecycle.lastError()).isEqualTo("child JVM exited with code 3");
    }

    @Test
    void listenersAreDroppedOnceTheReplicaHasStopped() {
        Lifecycle lifecycle = at(Phase.DRAINING);
        lifecycle.move(Phase.DRAINING, Phase.STOPPED);
        int afterStop = changes.get();
        lifecycle.changed();
        assertThat(changes.get()).isEqualTo(afterStop);
    }

    @Test
    void aFailingListenerDoesNotStopTheTransition() {
        Lifecycle lifecycle = new Lifecycle("r", null, () -> { throw new IllegalStateException("listener bug"); });
        assertThat(lifecycle.move(Phase.STARTING, Phase.RUNNING)).isTrue();
        assertThat(lifecycle.phase()).isEqualTo(Phase.RUNNING);
    }

    @Test
    void concurrentDrainAndFailHaveExactlyOneWinner() throws Exception {
        // The node's loop drains while the worker fails (or two watchdog passes abandon): one wins, once.
        for (int round = 0; round < 200; round++) {
            AtomicInteger told = new AtomicInteger();
            Lifecycle lifecycle = new Lifecycle("r", null, told::incrementAndGet);
            lifecycle.move(Phase.STARTING, Phase.RUNNING);
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads);
            CountDownLatch done = new CountDownLatch(threads);
            List<Boolean> wins = java.util.Collections.synchronizedList(new ArrayList<>(java.util.Collections.nCopies(threads, (Boolean) null)));
            for (int t = 0; t < threads; t++) {
                int which = t;
                Thread.ofPlatform().start(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                        wins.set(which, which % 2 == 0 ? lifecycle.move(Phase.RUNNING, Phase.DRAINING) : lifecycle.fail("cause " + which));
                    } catch (Exception e) {
                        wins.set(which, null);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(wins).doesNotContainNull();
            List<Boolean> drains = List.of(wins.get(0), wins.get(2));
            List<Boolean> fails = List.of(wins.get(1), wins.get(3));
            // A faller always runs, and may fail from RUNNING or DRAINING: exactly one of them wins.
            assertThat(fails).containsOnlyOnce(true);
            assertThat(drains.stream().filter(Boolean::booleanValue).count()).isLessThanOrEqualTo(1);
            assertThat(lifecycle.phase()).isEqualTo(Phase.FAILED);
            long winners = wins.stream().filter(Boolean::booleanValue).count();
            // The terminal change is always announced; a DRAINING announcement that loses the race to the
            // FAILED one finds the listener already dropped (it would have read FAILED anyway).
            assertThat(told.get()).as("at most one announcement per change, the failure's always").isBetween(2, (int) (1 + winners));
        }
    }

    private Lifecycle at(Phase phase) {
        Lifecycle lifecycle = new Lifecycle("r", null, changes::incrementAndGet);
        switch (phase) {
            case STARTING -> { }
            case RUNNING -> lifecycle.move(Phase.STARTING, Phase.RUNNING);
            case DRAINING -> lifecycle.move(Phase.STARTING, Phase.DRAINING);
            case STOPPED -> {
                lifecycle.move(Phase.STARTING, Phase.DRAINING);
                lifecycle.move(Phase.DRAINING, Phase.STOPPED);
            }
            case FAILED -> lifecycle.fail("failed");
        }
        return lifecycle;
    }
}
