package io.modelserve.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.testing.ManualTicker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batching rule with a manual ticker: a lone request never waits, a forming batch waits at most batch_wait_ms. */
class BatcherTest {
    private final ManualTicker ticker = new ManualTicker();

    @Test
    void aLoneRequestAtAnIdleReplicaRunsAtOnceHoweverLongTheBatchWait() {
        Batcher batcher = new Batcher(32, 50);

        assertThat(batcher.next(0, ticker.nanos())).isEqualTo(new Batcher.Idle());
        assertThat(batcher.next(1, ticker.nanos())).isEqualTo(new Batcher.Run(1));
    }

    @Test
    void theOnlyRequestThatQueuedWhileBusyAlsoRunsAtOnce() {
        Batcher batcher = new Batcher(32, 50);
        assertThat(batcher.next(1, ticker.nanos())).isEqualTo(new Batcher.Run(1));
        ticker.advanceMillis(3); // the model was busy; one more arrived meanwhile

        assertThat(batcher.next(1, ticker.nanos())).isEqualTo(new Batcher.Run(1));
    }

    @Test
    void requestsThatQueuedWhileBusyAreBatchedUpToMaxBatchSize() {
        Batcher batcher = new Batcher(8, 50);

        assertThat(batcher.next(8, ticker.nanos())).isEqualTo(new Batcher.Run(8));
        assertThat(batcher.next(40, ticker.nanos())).isEqualTo(new Batcher.Run(8));
    }

    @Test
    void aFormingBatchWaitsForMoreUntilBatchWaitMsAfterItBeganForming() {
        Batcher batcher = new Batcher(8, 50);
        long began = ticker.nanos();

        assertThat(batcher.next(3, ticker.nanos())).isEqualTo(new Batcher.WaitUntil(began + TimeUnit.MILLISECONDS.toNanos(50)));
        ticker.advanceMillis(20);
        // More joined; the deadline is still counted from when the batch began forming, not reset.
        assertThat(batcher.next(5, ticker.nanos())).isEqualTo(new Batcher.WaitUntil(began + TimeUnit.MILLISECONDS.toNanos(50)));
        ticker.advanceMillis(29);
        assertThat(batcher.next(5, ticker.nanos())).isInstanceOf(Batcher.WaitUntil.class);
        ticker.advanceMillis(1);
        assertThat(batcher.next(5, ticker.nanos())).isEqualTo(new Batcher.Run(5));
    }

    @Test
    void aFormingBatchThatFillsUpRunsBeforeTheWaitIsOver() {
        Batcher batcher = new Batcher(4, 50);
        assertThat(batcher.next(2, ticker.nanos())).isInstanceOf(Batcher.WaitUntil.class);
        ticker.advanceMillis(1);

        assertThat(batcher.next(4, ticker.nanos())).isEqualTo(new Batcher.Run(4));
    }

    @Test
    void theNextBatchGetsAFreshWait() {
        Batcher batcher = new Batcher(4, 50);
        batcher.next(2, ticker.nanos());
        ticker.advanceMillis(50);
        assertThat(batcher.next(2, ticker.nanos())).isEqualTo(new Batcher.Run(2));
        ticker.advanceMillis(10);
        long began = ticker.nanos();

        assertThat(batcher.next(3, ticker.nanos())).isEqualTo(new Batcher.WaitUntil(began + TimeUnit.MILLISECONDS.toNanos(50)));
    }

    @Test
    void withoutABatchWaitEverythingWaitingRunsAtOnce() {
        Batcher batcher = new Batcher(8, 0);

        assertThat(batcher.next(3, ticker.nanos())).isEqualTo(new Batcher.Run(3));
    }

    @Test
    void withoutBatchingRequestsRunOneByOne() {
        Batcher batcher = new Batcher(1, 50);

        assertThat(batcher.next(5, ticker.nanos())).isEqualTo(new Batcher.Run(1));
    }
}
