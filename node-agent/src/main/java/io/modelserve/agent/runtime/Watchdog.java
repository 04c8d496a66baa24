package io.modelserve.agent.runtime;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which plugin call a replica's worker is in and since when, and when that call counts as hung.
 * Written by the worker only (enter, touch, leave); read by the node's loop, which replaces a
 * replica whose call has hung. Every plugin call is covered, {@code init()} included.
 *
 * <p>Limits: a request-serving call ({@code inference}, {@code inferenceBatch}, a gap between two
 * chunks of {@code inferenceStream}, {@code healthy}, {@code reconfigure}) is hung after twice
 * {@code timeout_ms}, at least 5 s: its caller has long had a 504. {@code init()} and a multiplexed
 * model's {@code load()} load models and may be slow, so they get {@link #INIT_LIMIT_MS} (or twice
 * {@code timeout_ms} when that is longer).
 */
public final class Watchdog {
    /** How long {@code init()} may take before the replica is replaced: generous, a model load is slow. */
    public static final long INIT_LIMIT_MS = 300_000;
    private static final long CALL_LIMIT_FLOOR_MS = 5_000;

    /** A plugin call in progress: the method's name, and when it began (or last showed progress). */
    public record Call(String method, long sinceNanos) {}

    private final Ticker ticker;
    private final long timeoutMs;
    private volatile Call current;

    public Watchdog(Ticker ticker, long timeoutMs) {
        this.ticker = ticker;
        this.timeoutMs = timeoutMs;
    }

    public void enter(String method) {
        current = new Call(method, ticker.nanos());
    }

    /** The call showed progress (a streamed chunk): a backend that keeps emitting is not hung. */
    public void touch() {
        Call call = current;
        if (call != null) {
            current = new Call(call.method(), ticker.nanos());
        }
    }

    public void leave() {
        current = null;
    }

    /** Nanos the current call has been running, or 0 when no plugin code is running. */
    public long busyForNanos() {
        Call call = current;
        return call == null ? 0 : Math.max(1, ticker.nanos() - call.sinceNanos());
    }

    /** The limit for {@code method}, in milliseconds. */
    public long limitMillis(String method) {
        long twiceTimeout = timeoutMs * 2;
        return loadsModels(method) ? Math.max(INIT_LIMIT_MS, twiceTimeout) : Math.max(CALL_LIMIT_FLOOR_MS, twiceTimeout);
    }

    private static boolean loadsModels(String method) {
        return "init".equals(method) || "load".equals(method);
    }

    /** Why the current call counts as hung, naming it; empty while it is within its limit. */
    public Optional<String> hang() {
        Call call = current;
        if (call == null) {
            return Optional.empty();
        }
        long limit = limitMillis(call.method());
        if (ticker.nanos() - call.sinceNanos() <= TimeUnit.MILLISECONDS.toNanos(limit)) {
            return Optional.empty();
        }
        String rule = loadsModels(call.method()) ? "" : " (twice timeout_ms, at least 5 s)";
        return Optional.of(call.method() + "() did not return within " + limit + " ms" + rule);
    }
}
