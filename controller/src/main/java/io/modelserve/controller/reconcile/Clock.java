package io.modelserve.controller.reconcile;

/** Milliseconds since the epoch; injected so tests control time and never sleep. */
@FunctionalInterface
public interface Clock {
    long millis();

    Clock SYSTEM = System::currentTimeMillis;
}
