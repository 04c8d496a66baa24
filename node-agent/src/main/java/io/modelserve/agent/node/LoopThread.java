package io.modelserve.agent.node;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that runs a task every {@code periodMillis} and whenever {@link #wake()} is
 * called; wake-ups while a run is queued collapse into that run. Whatever the task throws, Errors
 * included, is logged and the schedule goes on: an exception escaping a {@code scheduleWithFixedDelay}
 * task would cancel it silently, and the node would stop reconciling.
 */
public final class LoopThread implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoopThread.class);

    private final String name;
    private final Runnable task;
    private final long periodMillis;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();

    public LoopThread(String name, long periodMillis, Runnable task) {
        this.name = name;
        this.task = task;
        this.periodMillis = periodMillis;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name(name).daemon(true).unstarted(r));
    }

    public LoopThread start() {
        thread.scheduleWithFixedDelay(this::runSafely, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Asks for a run soon; many wake-ups collapse into one run. */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakeQueued.set(false);
                    runSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // Closing: nothing more to run.
            }
        }
    }

    /** Runs {@code action} on this thread and waits for it, up to {@code timeoutMillis}; false if it did not finish. */
    public boolean runAndWait(Runnable action, long timeoutMillis) {
        try {
            thread.submit(action).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            log.warn("{}: {} did not finish: {}", name, action, e.toString());
            return false;
        }
    }

    private void runSafely() {
        try {
            task.run();
        } catch (Throwable t) {
            // A failed pass (e.g. the cluster briefly unreachable) must not end the loop.
            log.warn("{}: pass failed, retrying: {}", name, t.toString(), t);
        }
    }

    /** Stops the thread, waiting a little for a run in progress to end. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
