package io.modelserve.agent.runtime;

/** A backend that can be stopped from outside even while a call is stuck in it (a child JVM). */
public interface Killable {
    void kill();
}
