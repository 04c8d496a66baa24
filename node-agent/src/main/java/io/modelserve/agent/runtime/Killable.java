package io.modelserve.agent.runtime;

/** A backend that can be stopped from outside even while a call is stuck in it (a child JVM). */
public interface Killable {
    /**
     * Stops it at once, waiting briefly for it to be gone.
     *
     * @return what it died of, as seen once it was gone (e.g. it had run out of memory already), or null
     */
    String kill();
}
