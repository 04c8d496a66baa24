package io.modelserve.agent.runtime;

import java.util.concurrent.TimeUnit;

/**
 * When a replica's worker runs the requests it has: the batching rule, as a decision over how many
 * requests are waiting and the time, so it is tested with a manual ticker.
 *
 * <p>The rule, asked each time the worker is free:
 * <ul>
 *   <li>nothing waiting: {@link Idle} — wait for the next request;</li>
 *   <li>one request waiting: {@link Run} it at once. A request that arrives at an idle replica
 *       never waits for company; nor does the only one that queued while the model was busy;</li>
 *   <li>{@code max_batch_size} or more waiting: {@link Run} a full batch at once;</li>
 *   <li>two or more, but fewer than a full batch: a batch is forming (requests queue up faster
 *       than the model answers them), so {@link WaitUntil} up to {@code batch_wait_ms} after it
 *       began forming for more to join, then run what is there.</li>
 * </ul>
 * So {@code batch_wait_ms} is spent only when there is load to batch, and at most once per batch.
 * Only the worker thread calls {@link #next}; the batcher remembers when the current batch began
 * forming.
 */
public final class Batcher {
    /** What the worker does next. */
    public sealed interface Step permits Idle, Run, WaitUntil {}

    /** Nothing is waiting. */
    public record Idle() implements Step {}

    /** Run the first {@code size} waiting requests now. */
    public record Run(int size) implements Step {}

    /** Wait for more requests until {@code deadlineNanos} on the ticker, then ask again. */
    public record WaitUntil(long deadlineNanos) implements Step {}

    private static final long NOT_FORMING = Long.MIN_VALUE;

    private final int maxBatchSize;
    private final long batchWaitNanos;
    private long formingSince = NOT_FORMING;

    public Batcher(int maxBatchSize, int batchWaitMs) {
        this.maxBatchSize = Math.max(1, maxBatchSize);
        this.batchWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, batchWaitMs));
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** @param waiting requests waiting to run; {@code now} on the worker's ticker */
    public Step next(int waiting, long now) {
        if (waiting == 0) {
            formingSince = NOT_FORMING;
            return new Idle();
        }
        if (waiting == 1 || waiting >= maxBatchSize || batchWaitNanos == 0) {
            return run(Math.min(waiting, maxBatchSize));
        }
        if (formingSince == NOT_FORMING) {
            formingSince = now;
        }
        long deadline = formingSince + batchWaitNanos;
        if (now - deadline >= 0) {
            return run(waiting);
        }
        return new WaitUntil(deadline);
    }

    private Run run(int size) {
        formingSince = NOT_FORMING;
        return new Run(size);
    }
}
