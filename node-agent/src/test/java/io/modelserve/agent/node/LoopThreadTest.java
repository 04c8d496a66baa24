package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.testing.Await;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoopThreadTest {
    @Test
    void anErrorInATurnDoesNotEndTheSchedule() {
        AtomicInteger turns = new AtomicInteger();
        try (LoopThread thread = new LoopThread("test-loop", 10, () -> {
            if (turns.incrementAndGet() <= 2) {
                throw new StackOverflowError("an Error would cancel a scheduleWithFixedDelay task");
            }
        }).start()) {
            Await.until("the loop to keep running after two Errors", () -> turns.get() >= 5);
        }
        assertThat(turns.get()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void wakeUpsRunTheTaskSoon() {
        AtomicInteger turns = new AtomicInteger();
        try (LoopThread thread = new LoopThread("test-loop", 3_600_000, turns::incrementAndGet).start()) {
            Await.until("the first, scheduled turn", () -> turns.get() >= 1);
            thread.wake();
            Await.until("a woken turn", () -> turns.get() >= 2);
        }
    }
}
