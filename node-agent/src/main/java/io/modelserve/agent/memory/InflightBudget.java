package io.modelserve.agent.memory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The node-wide budget for request bytes in flight ({@code max_inflight_bytes}): a body is charged
 * before it is read and refunded when its request finishes, so however many connections hold bodies
 * open, the bytes they make this node keep stay under one number. Refusals are immediate (the caller
 * answers 503 + Retry-After); nothing ever waits for budget, because a waiting request holds a thread
 * and a socket that the flood it is part of would multiply.
 *
 * <p>A request of more than {@link #SMALL_BYTES} may fill only fifteen sixteenths of the budget: the
 * rest is kept for small requests, so a flood of large bodies never starves ordinary traffic.
 *
 * <p>The limit is read on every reservation, so a new {@code max_inflight_bytes} applies at once; the
 * bytes already charged stay charged until released.
 */
public final class InflightBudget {
    /** Requests up to this size may use the whole budget; larger ones leave a sixteenth of it. */
    public static final long SMALL_BYTES = 64 * 1024;

    private final LongSupplier limit;
    private final AtomicLong used = new AtomicLong();

    /** @param limit bytes; read on every reservation */
    public InflightBudget(LongSupplier limit) {
        this.limit = limit;
    }

    /** A quarter of this JVM's maximum heap: room for bodies and what decoding them costs. */
    public static long defaultLimit() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /** An empty reservation, grown as bytes arrive; close it when the request is done. */
    public Reservation open() {
        return new Reservation();
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit.getAsLong();
    }

    private boolean tryCharge(long bytes, boolean small) {
        long limit = this.limit.getAsLong();
        long max = small ? limit : limit - limit / 16;
        while (true) {
            long now = used.get();
            if (bytes > max - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /**
     * Bytes charged for one request. Used by the request's own thread only; {@link #close()} refunds
     * all of it once, however often it is called.
     */
    public final class Reservation implements AutoCloseable {
        private long held;
        private boolean closed;

        private Reservation() {}

        /** Charges {@code bytes} more; false (and nothing charged) when the budget cannot take them. */
        public boolean grow(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative reservation: " + bytes);
            }
            if (closed || !tryCharge(bytes, held + bytes <= SMALL_BYTES)) {
                return false;
            }
            held += bytes;
            return true;
        }

        /** Refunds {@code bytes} of what this reservation holds (a buffer that was let go early). */
        public void shrink(long bytes) {
            long refund = Math.min(bytes, held);
            held -= refund;
            used.addAndGet(-refund);
        }

        public long held() {
            return held;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                used.addAndGet(-held);
                held = 0;
            }
        }
    }
}
