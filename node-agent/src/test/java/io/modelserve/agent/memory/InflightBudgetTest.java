package io.modelserve.agent.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InflightBudgetTest {
    private final AtomicLong limit = new AtomicLong(1_000);
    private final InflightBudget budget = new InflightBudget(limit::get);

    @Test
    void reservesUpToTheLimitAndNoMore() {
        InflightBudget.Reservation a = budget.open();
        InflightBudget.Reservation b = budget.open();

        assertThat(a.grow(600)).isTrue();
        assertThat(b.grow(500)).isFalse();
        assertThat(b.held()).isZero();
        assertThat(b.grow(400)).isTrue();
        assertThat(budget.used()).isEqualTo(1_000);
        assertThat(a.grow(1)).isFalse();
    }

    @Test
    void largeRequestsLeaveASixteenthForSmallOnes() {
        limit.set(16 * InflightBudget.SMALL_BYTES);
        InflightBudget.Reservation large = budget.open();
        InflightBudget.Reservation larger = budget.open();

        assertThat(large.grow(10 * InflightBudget.SMALL_BYTES)).isTrue();
        assertThat(larger.grow(6 * InflightBudget.SMALL_BYTES)).isFalse(); // would reach the small requests' share
        assertThat(larger.grow(5 * InflightBudget.SMALL_BYTES)).isTrue();
        InflightBudget.Reservation small = budget.open();
        assertThat(small.grow(InflightBudget.SMALL_BYTES)).isTrue();
        assertThat(budget.used()).isEqualTo(16 * InflightBudget.SMALL_BYTES);
    }

    @Test
    void closingRefundsEverythingOnce() {
        InflightBudget.Reservation a = budget.open();
        a.grow(700);
        a.shrink(200);
        assertThat(budget.used()).isEqualTo(500);

        a.close();
        a.close();

        assertThat(budget.used()).isZero();
        assertThat(a.grow(10)).isFalse(); // a closed reservation takes nothing more
        assertThat(budget.used()).isZero();
    }

    @Test
    void shrinkingNeverRefundsMoreThanWasHeld() {
        InflightBudget.Reservation a = budget.open();
        InflightBudget.Reservation b = budget.open();
        a.grow(100);
        b.grow(300);

        a.shrink(1_000);

        assertThat(budget.used()).isEqualTo(300);
    }

    @Test
    void aLowerLimitAppliesToTheNextReservation() {
        InflightBudget.Reservation a = budget.open();
        a.grow(500);
        limit.set(400);

        assertThat(budget.open().grow(1)).isFalse();
        a.close();
        assertThat(budget.open().grow(400)).isTrue();
    }

    @Test
    void concurrentReservationsNeverExceedTheLimit() throws Exception {
        int threads = 8;
        int rounds = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicLong peak = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    java.util.Random random = new java.util.Random(seed);
                    for (int i = 0; i < rounds; i++) {
                        try (InflightBudget.Reservation reservation = budget.open()) {
                            for (int piece = 0; piece < 3; piece++) {
                                if (reservation.grow(1 + random.nextInt(300))) {
                                    peak.accumulateAndGet(budget.used(), Math::max);
                                }
                            }
                            if (budget.used() > limit.get()) {
                                throw new AssertionError("used " + budget.used() + " > limit");
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(failure.get()).isNull();
        assertThat(peak.get()).isLessThanOrEqualTo(1_000).isGreaterThan(500);
        assertThat(budget.used()).isZero();
    }
}
