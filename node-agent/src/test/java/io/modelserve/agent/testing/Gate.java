package io.modelserve.agent.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a plugin call until the test opens it, and tells the test when the call has arrived. This
 * is how tests make "the worker is busy" a fact rather than a hope.
 */
public final class Gate {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);

    /** Called by the held party (the plugin, on the replica's worker thread). */
    public void pass() {
        entered.countDown();
        try {
            if (!opened.await(2 * Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened this gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at a gate", e);
        }
    }

    /** Waits until a call is held at this gate. */
    public Gate awaitEntered() {
        Await.latch(entered, "a plugin call to reach the gate");
        return this;
    }

    public boolean isEntered() {
        return entered.getCount() == 0;
    }

    public void open() {
        opened.countDown();
    }
}
