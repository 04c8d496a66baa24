package io.modelserve.agent.runtime;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica's bounded queue and its count of requests taken but not yet answered ({@code ongoing}:
 * queued, forming a batch, or running). Callers offer and never block; the worker takes. Once
 * closed it takes nothing more, and what it held is handed back as never run.
 */
public final class RequestQueue {
    private final String replicaId;
    private final ArrayBlockingQueue<Job> jobs;
    private final AtomicInteger ongoing = new AtomicInteger();
    private volatile boolean closed;

    public RequestQueue(String replicaId, int capacity) {
        this.replicaId = replicaId;
        this.jobs = new ArrayBlockingQueue<>(Math.max(1, capacity));
    }

    public Replica.Admission offer(Job job) {
        if (closed) {
            return Replica.Admission.NOT_READY;
        }
        ongoing.incrementAndGet();
        if (!jobs.offer(job)) {
            ongoing.decrementAndGet();
            return Replica.Admission.FULL;
        }
        // The worker may have closed the queue between the check above and the offer.
        if (closed && jobs.remove(job)) {
            ongoing.decrementAndGet();
            return Replica.Admission.NOT_READY;
        }
        return Replica.Admission.ACCEPTED;
    }

    /**
     * Counts one job as ongoing only if nothing else is (none queued, forming or running): its
     * caller may then run it itself. The count is released with {@link #done}, or the job is
     * queued with {@link #offerCounted}.
     */
    boolean claimIdle() {
        return !closed && ongoing.compareAndSet(0, 1);
    }

    /** Queues a job {@link #claimIdle} already counted. */
    Replica.Admission offerCounted(Job job) {
        if (closed || !jobs.offer(job)) {
            ongoing.decrementAndGet();
            return closed ? Replica.Admission.NOT_READY : Replica.Admission.FULL;
        }
        if (closed && jobs.remove(job)) {
            ongoing.decrementAndGet();
            return Replica.Admission.NOT_READY;
        }
        return Replica.Admission.ACCEPTED;
    }

    /** The next job, waiting up to {@code nanos}; null when none came. */
    Job poll(long nanos) throws InterruptedException {
        return nanos <= 0 ? jobs.poll() : jobs.poll(nanos, TimeUnit.NANOSECONDS);
    }

    void drainTo(List<Job> into, int max) {
        if (max > 0) {
            jobs.drainTo(into, max);
        }
    }

    /** {@code count} jobs taken from the queue were answered (or skipped, their caller having gone). */
    void done(int count) {
        ongoing.addAndGet(-count);
    }

    /** Fails {@code taken} (jobs out of the queue, never run) and everything queued as never run; takes no more. */
    void close(List<Job> taken, String why) {
        closed = true;
        ReplicaGoneException gone = new ReplicaGoneException(replicaId, why);
        for (Job job : taken) {
            done(1);
            job.result().completeExceptionally(gone);
        }
        Job job;
        while ((job = jobs.poll()) != null) {
            done(1);
            job.result().completeExceptionally(gone);
        }
    }

    public int size() {
        return jobs.size();
    }

    public boolean isEmpty() {
        return jobs.isEmpty();
    }

    public int ongoing() {
        return ongoing.get();
    }
}
