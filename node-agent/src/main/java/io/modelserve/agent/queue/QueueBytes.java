package io.modelserve.agent.queue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The bytes the async queue holds, cluster-wide, against {@code queue_max_bytes}.
 *
 * <p>Two structures: a ledger ({@code modelserve.queue.bytes}: request id -> bytes charged for it,
 * with the same time-to-live as the request and its result) and a total ({@code modelserve.queue.usage}),
 * changed only by compare-and-set, so two nodes accepting at once never both fit in the last space.
 * (Hazelcast's {@code IAtomicLong} would do, but its CP subsystem is not in the open-source edition;
 * a map entry has the same partition owner and backups.) A ledger entry that expires refunds its bytes
 * through a listener that runs on the entry's owner only, so each expiry is refunded once.
 *
 * <p>A member that dies between charging and recording (or a refund lost in a migration) makes the
 * total drift; {@link #recount()} sets it to the ledger's sum, and the oldest member runs it
 * periodically. Bytes counted are what Hazelcast stores once; its backups are not counted, so the
 * heap they cost is the cap times (1 + backups) spread over the members (docs/ARCHITECTURE.md).
 */
final class QueueBytes implements AutoCloseable {
    static final String LEDGER = "modelserve.queue.bytes";
    static final String USAGE = "modelserve.queue.usage";
    private static final String TOTAL = "total";

    private final IMap<String, Long> ledger;
    private final IMap<String, Long> usage;
    private final UUID expiryListener;

    QueueBytes(HazelcastInstance hazelcast) {
        this.ledger = hazelcast.getMap(LEDGER);
        this.usage = hazelcast.getMap(USAGE);
        this.expiryListener = ledger.addLocalEntryListener((EntryExpiredListener<String, Long>) event -> {
            Long bytes = event.getOldValue();
            if (bytes != null) {
                add(-bytes);
            }
        }, com.hazelcast.query.Predicates.alwaysTrue(), true);
    }

    /** Charges {@code bytes} for {@code id} if the total stays within {@code cap}; false (nothing charged) if not. */
    boolean tryCharge(String id, long bytes, long cap, long ttlSeconds) {
        // Ledger first: a recount meanwhile then over-counts (refuses a little early) rather than under-counts.
        ledger.set(id, bytes, ttlSeconds, TimeUnit.SECONDS);
        while (true) {
            Long now = usage.get(TOTAL);
            long current = now == null ? 0 : Math.max(0, now);
            if (bytes > cap - current) {
                ledger.delete(id);
                return false;
            }
            if (swap(now, current + bytes)) {
                return true;
            }
        }
    }

    /** {@code id} now holds {@code bytes} (its result replaced its payload), kept for {@code ttlSeconds}. */
    void recharge(String id, long bytes, long ttlSeconds) {
        Long before = ledger.put(id, bytes, ttlSeconds, TimeUnit.SECONDS);
        add(bytes - (before == null ? 0 : before));
    }

    /** {@code id} holds nothing any more. */
    void refund(String id) {
        Long before = ledger.remove(id);
        if (before != null) {
            add(-before);
        }
    }

    long total() {
        Long now = usage.get(TOTAL);
        return now == null ? 0 : Math.max(0, now);
    }

    /** Sets the total to what the ledger holds; returns it. */
    long recount() {
        long sum = 0;
        for (Long bytes : ledger.values()) {
            sum += bytes;
        }
        usage.set(TOTAL, sum);
        return sum;
    }

    private void add(long delta) {
        while (true) {
            Long now = usage.get(TOTAL);
            if (swap(now, (now == null ? 0 : now) + delta)) {
                return;
            }
        }
    }

    private boolean swap(Long expected, long next) {
        return expected == null ? usage.putIfAbsent(TOTAL, next) == null : usage.replace(TOTAL, expected, next);
    }

    @Override
    public void close() {
        try {
            ledger.removeEntryListener(expiryListener);
        } catch (RuntimeException e) {
            // The member is shutting down; its listeners go with it.
        }
    }
}
