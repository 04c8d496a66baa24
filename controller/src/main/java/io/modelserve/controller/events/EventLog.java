package io.modelserve.controller.events;

import io.modelserve.cluster.ClusterEvent;
import io.modelserve.controller.reconcile.Clock;
import io.modelserve.controller.reconcile.ControllerStore;
import io.modelserve.controller.reconcile.Timeline;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's timeline, kept by the leader alone: applies and autoscale decisions as they are made,
 * and, from each pass of the controller loop, what changed since the last pass ({@link Observation},
 * {@link TimelineChanges}): replicas that started, failed or stopped, nodes that joined or were lost.
 * It is level-based like the loop: the first pass of a term takes the cluster as it is as its baseline
 * (and records that this head leads), so a missed or repeated pass records nothing twice.
 *
 * <p>Bounded: the oldest entries go past {@link #CAPACITY}. Like {@code OwnedState}, the leader keeps its
 * own copy of what it wrote and each pass puts back an entry deleted or altered behind its back and
 * removes one it did not write (a forged one reads as absent through its seal, and is rewritten).
 *
 * <p>One lock: applies (admin threads) and passes (the loop thread) never interleave their writes.
 */
public final class EventLog implements Timeline {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);
    public static final int CAPACITY = 500;

    private final ControllerStore store;
    private final Clock clock;
    private final String self;
    private final int capacity;
    private TreeMap<Long, ClusterEvent> written; // null while this head does not lead
    private Observation last;
    private long nextSeq;

    /** @param self this head's node id, named in the event of its taking over */
    public EventLog(ControllerStore store, Clock clock, String self) {
        this(store, clock, self, CAPACITY);
    }

    public EventLog(ControllerStore store, Clock clock, String self, int capacity) {
        this.store = store;
        this.clock = clock;
        this.self = self;
        this.capacity = capacity;
    }

    /** Ends the term: a standby writes nothing, and a new term takes a new baseline. */
    @Override
    public synchronized void standDown() {
        written = null;
        last = null;
    }

    /**
     * One pass of the leader: makes the cluster's timeline match its own copy, then records what
     * changed since the last pass. Returns how many entries it had to put back or remove.
     */
    @Override
    public synchronized int pass() {
        takeOver();
        int restored = restore();
        Observation now = Observation.of(store);
        if (last != null) {
            for (TimelineChanges.Draft draft : TimelineChanges.between(last, now)) {
                append(draft);
            }
        }
        last = now;
        return restored;
    }

    /** Records something the leader did (an apply, an autoscale decision). */
    @Override
    public synchronized void record(ClusterEvent.Kind kind, List<String> deployments, String subject, String message) {
        takeOver();
        append(new TimelineChanges.Draft(kind, deployments, subject, message));
    }

    /** The timeline as this leader wrote it, oldest first; empty while it does not lead. */
    public synchronized List<ClusterEvent> written() {
        return written == null ? List.of() : List.copyOf(written.values());
    }

    private void takeOver() {
        if (written != null) {
            return;
        }
        written = new TreeMap<>();
        store.events().forEach(event -> written.put(event.seq(), event));
        String previous = written.descendingMap().values().stream().filter(e -> e.kind() == ClusterEvent.Kind.LEADER)
                .map(ClusterEvent::subject).findFirst().orElse(null);
        nextSeq = written.isEmpty() ? 1 : written.lastKey() + 1;
        trim();
        append(new TimelineChanges.Draft(ClusterEvent.Kind.LEADER, List.of(), self, self + " leads the controller"
                + (previous == null ? "" : previous.equals(self) ? " again" : " (was " + previous + ")")));
    }

    private int restore() {
        Map<Long, ClusterEvent> present = new TreeMap<>();
        store.events().forEach(event -> present.put(event.seq(), event));
        int restored = 0;
        for (ClusterEvent mine : written.values()) {
            if (!mine.equals(present.remove(mine.seq()))) {
                store.putEvent(mine);
                restored++;
            }
        }
        for (Long extra : present.keySet()) {
            store.removeEvent(extra);
            restored++;
        }
        if (restored > 0) {
            log.warn("restored {} timeline entries changed behind the leader", restored);
        }
        return restored;
    }

    private void append(TimelineChanges.Draft draft) {
        ClusterEvent event = new ClusterEvent(nextSeq++, clock.millis(), draft.kind(), draft.deployments(), draft.subject(),
                draft.message());
        written.put(event.seq(), event);
        store.putEvent(event);
        trim();
    }

    private void trim() {
        while (written.size() > capacity) {
            store.removeEvent(written.pollFirstEntry().getKey());
        }
    }
}
