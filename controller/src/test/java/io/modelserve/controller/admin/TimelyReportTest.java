package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimelyReportTest {
    private final AtomicInteger computed = new AtomicInteger();
    private final CountDownLatch thaw = new CountDownLatch(1);
    private volatile boolean frozen;

    private final TimelyReport<Integer> report = new TimelyReport<>(this::compute, 50);
    private final TimelyReport<Integer> patient = new TimelyReport<>(this::compute, 30_000);

    private Integer compute() {
        int n = computed.incrementAndGet();
        if (frozen) {
            try {
                thaw.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return n;
    }

    @Test
    void eachCallGetsAReportComputedAfterItWhenTheClusterAnswers() {
        assertThat(patient.get()).isEqualTo(1);
        assertThat(patient.get()).isEqualTo(2);
    }

    @Test
    void aBlockedComputationAnswersTheLastReportAndReplacesItWhenDone() throws Exception {
        assertThat(report.get()).isEqualTo(1);
        frozen = true;

        assertThat(report.get()).isEqualTo(1);
        assertThat(report.get()).isEqualTo(1);

        thaw.countDown();
        frozen = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int seen = report.get();
        while (seen < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
            seen = report.get();
        }
        assertThat(seen).as("a report computed after the thaw").isGreaterThanOrEqualTo(3);
    }

    @Test
    void noMoreThanABoundOfComputationsWaitAtOnce() {
        assertThat(report.get()).isEqualTo(1);
        frozen = true;

        for (int i = 0; i < 10; i++) {
            assertThat(report.get()).isEqualTo(1);
        }

        assertThat(computed.get()).isEqualTo(1 + TimelyReport.MAX_IN_FLIGHT);
        thaw.countDown();
    }
}
