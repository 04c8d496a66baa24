package io.modelserve.agent.node;

import java.time.Instant;
import java.time.InstantSource;

/** Time that moves only when the test says so. */
final class ManualClock implements InstantSource {
    private long millis;

    ManualClock(long startMillis) {
        this.millis = startMillis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }

    void advance(long delta) {
        millis += delta;
    }
}
