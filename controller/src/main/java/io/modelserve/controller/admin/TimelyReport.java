package io.modelserve.controller.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A report that answers within a bound. Computing one reads Hazelcast maps, and a map's partitions
 * may be owned by a member that froze ({@code kill -STOP}, a long GC, a hung VM): such reads block
 * until the cluster removes the member, seconds later. So each call computes a fresh report on a
 * virtual thread of its own and waits for it at most {@code waitMillis}; past that it answers the
 * last report computed, and the late computation still replaces that one when it finishes. At most
 * {@link #MAX_IN_FLIGHT} computations wait at once; beyond that, calls answer the last report
 * without starting another.
 *
 * <p>A report is never older than the call when the cluster answers in time: a call does not join a
 * computation started before it. When it does not answer in time, the last report may predate a
 * change; its {@code generation} says so (the CLI's convergence wait ignores reports of an older
 * generation than the one it applied).
 */
public final class TimelyReport<T> implements Supplier<T> {
    static final int MAX_IN_FLIGHT = 4;

    private final Supplier<T> compute;
    private final long waitMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile T last;

    public TimelyReport(Supplier<T> compute, long waitMillis) {
        this.compute = compute;
        this.waitMillis = waitMillis;
    }

    @Override
    public T get() {
        T known = last;
        if (known != null && inFlight.get() >= MAX_IN_FLIGHT) {
            return known;
        }
        CompletableFuture<T> fresh = new CompletableFuture<>();
        inFlight.incrementAndGet();
        Thread.ofVirtual().name("report").start(() -> {
            try {
                T report = compute.get();
                last = report;
                fresh.complete(report);
            } catch (Throwable e) {
                fresh.completeExceptionally(e);
            } finally {
                inFlight.decrementAndGet();
            }
        });
        try {
            return known == null ? fresh.get() : fresh.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return known;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (known != null) {
                return known;
            }
            throw new IllegalStateException("interrupted while computing the report", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
