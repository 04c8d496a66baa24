package io.modelserve.agent.runtime;

/**
 * A monotonic nano clock, injected wherever the replica runtime measures time (batch waits, health
 * intervals, hung calls), so its tests advance time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    /** {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
