package io.modelserve.agent.runtime;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Who may call a replica's plugin now: its worker, or one caller running its own request on its
 * own thread (inline). One holder at a time, so plugins need not be thread-safe; the permit's
 * release and acquire order each call after the previous one.
 *
 * <p>While a caller holds it, the worker waits in slices and watches that caller's job: past the
 * job's deadline it fails the job as timed out and calls the job's {@link Rescue}, since the
 * caller's thread, still in the plugin, cannot answer its client.
 */
final class Turn {
    private final Semaphore permit = new Semaphore(1);
    private final Ticker ticker;
    private volatile Job inlineJob;
    private volatile Thread inlineThread;

    Turn(Ticker ticker) {
        this.ticker = ticker;
    }

    boolean tryTake() {
        return permit.tryAcquire();
    }

    /**
     * Takes the turn, waiting in slices of {@code sliceNanos} and watching an inline holder's
     * deadline between them; gives up (false) when {@code stop} says so after a slice.
     */
    boolean take(long sliceNanos, BooleanSupplier stop) throws InterruptedException {
        while (!permit.tryAcquire(sliceNanos, TimeUnit.NANOSECONDS)) {
            rescueLate();
            if (stop.getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    void release() {
        permit.release();
    }

    /** The calling thread, holding the turn, is about to run {@code job} itself. */
    void enterInline(Job job) {
        inlineThread = Thread.currentThread();
        inlineJob = job;
    }

    void leaveInline() {
        inlineJob = null;
        inlineThread = null;
    }

    boolean inlineRunning() {
        return inlineJob != null;
    }

    /** Past its deadline, an inline job fails as timed out and its caller is answered by its rescue, once. */
    void rescueLate() {
        Job job = inlineJob;
        if (job != null && ticker.nanos() - job.deadlineNanos() > 0
                && job.result().completeExceptionally(new TimeoutException("deadline passed"))) {
            job.rescue().deadlinePassed();
        }
    }

    /** Interrupts a caller stuck in the plugin on its own thread (the replica is abandoned), as its worker would be. */
    void interruptInline() {
        Thread thread = inlineThread;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
