package io.modelserve.agent.runtime;

import io.modelserve.agent.runtime.Replica.Phase;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's phase and its last error, changed only by compare-and-set here, and the only caller
 * of the replica's change listeners.
 *
 * <pre>
 *   STARTING ──► RUNNING ──► DRAINING ──► STOPPED
 *       └───────────────────────►┘  (a drain before init finished)
 *   STARTING | RUNNING | DRAINING ──► FAILED
 * </pre>
 *
 * STOPPED and FAILED are terminal: the first cause of a failure is kept, so a later symptom of the
 * same failure (a cancelled call of a killed child) never overwrites why it happened. Listeners are
 * told after every change and dropped once a terminal phase has been announced, so a replaced
 * replica holds no reference into its node.
 */
public final class Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /** Whether {@code next} may follow {@code from}: the table above, the only place it is written. */
    public static boolean allows(Phase from, Phase next) {
        return switch (from) {
            case STARTING -> next == Phase.RUNNING || next == Phase.DRAINING || next == Phase.FAILED;
            case RUNNING -> next == Phase.DRAINING || next == Phase.FAILED;
            case DRAINING -> next == Phase.STOPPED || next == Phase.FAILED;
            case FAILED, STOPPED -> false;
        };
    }

    public static boolean terminal(Phase phase) {
        return phase == Phase.FAILED || phase == Phase.STOPPED;
    }

    /** One consistent reading: the phase and the error that goes with it. */
    public record State(Phase phase, String lastError) {}

    private final String name;
    private final AtomicReference<State> state;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** @param previousError why the replica this one replaces stopped, shown until something newer happens */
    public Lifecycle(String name, String previousError, Runnable listener) {
        this.name = name;
        this.state = new AtomicReference<>(new State(Phase.STARTING, previousError));
        listeners.add(Objects.requireNonNull(listener));
    }

    public State state() {
        return state.get();
    }

    public Phase phase() {
        return state.get().phase();
    }

    public String lastError() {
        return state.get().lastError();
    }

    /** Moves from {@code from} to {@code to}; false (and nothing changes) when the phase was not {@code from}. */
    public boolean move(Phase from, Phase to) {
        if (!allows(from, to)) {
            throw new IllegalArgumentException(name + ": " + from + " -> " + to + " is not a transition");
        }
        State current = state.get();
        while (current.phase() == from) {
            if (state.compareAndSet(current, new State(to, current.lastError()))) {
                announce();
                return true;
            }
            current = state.get();
        }
        return false;
    }

    /** Fails from any live phase with {@code reason}; false when already terminal (the first cause stays). */
    public boolean fail(String reason) {
        State current = state.get();
        while (!terminal(current.phase())) {
            if (state.compareAndSet(current, new State(Phase.FAILED, reason))) {
                announce();
                return true;
            }
            current = state.get();
        }
        return false;
    }

    /**
     * Adds to the cause of a failure what was learnt while acting on it (the killed child's own
     * exit cause); only the party that set {@code was} can name it, so no later symptom gets in.
     */
    public boolean refine(String was, String now) {
        State current = state.get();
        if (current.phase() != Phase.FAILED || !Objects.equals(current.lastError(), was)) {
            return false;
        }
        if (state.compareAndSet(current, new State(Phase.FAILED, now))) {
            announce(); // listeners are gone once FAILED was announced; kept for symmetry with every change
            return true;
        }
        return false;
    }

    /** Records an error that does not change the phase (a rejected reconfigure); ignored once terminal. */
    public void report(String error) {
        State current = state.get();
        while (!terminal(current.phase())) {
            if (state.compareAndSet(current, new State(current.phase(), error))) {
                announce();
                return;
            }
            current = state.get();
        }
    }

    /** Tells the listeners that something they publish changed without a phase change (the applied config). */
    public void changed() {
        announce();
    }

    private void announce() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.error("{}: change listener failed", name, e);
            }
        }
        if (terminal(state.get().phase())) {
            listeners.clear();
        }
    }
}
