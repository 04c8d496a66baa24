package io.modelserve.controller.reconcile;

/** Time that moves only when a test says so. */
public final class FakeClock implements Clock {
    private long now;

    public FakeClock(long start) {
        this.now = start;
    }

    @Override
    public long millis() {
        return now;
    }

    public void advance(long millis) {
        now += millis;
    }
}
