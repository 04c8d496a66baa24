package io.modelserve.agent.transport;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The one owner of what this node believes about its peers: {@link State#LIVE}, {@link State#SUSPECT}
 * or {@link State#DEAD} per node id. Everything that picks a peer (the router, the remote view) asks
 * here; everything that learns something about a peer tells it here.
 *
 * <p>Two kinds of evidence, kept apart because they come at different speeds:
 * <ul>
 *   <li><b>Membership</b> (Hazelcast, seconds): a node whose member left the cluster is DEAD until it
 *       is seen again with a member that is present (it rejoined, or restarted with a new member).</li>
 *   <li><b>Answers</b> (the transport, sub-second): a peer that did not answer by a forward's first-byte
 *       deadline, nor a probe after it, or refused a connection, is SUSPECT: new requests avoid it at
 *       once, long before the cluster declares it dead. Suspicion ends when a probe sent after it
 *       began is answered ({@link PeerProbe} keeps probing a suspect peer), or, as a safety net if
 *       nothing probes, after {@code suspectLapseNanos}. An ordinary answer does not end it: it may
 *       have been on its way since before the peer froze.</li>
 * </ul>
 * DEAD wins over SUSPECT. A node never heard of is LIVE: there is no evidence against it.
 *
 * <p>Thread-safe: fed by the membership listener thread, the agent loop and request threads; what
 * two of them could race on (suspicion start, death reported once) is compare-and-set.
 */
public final class PeerLiveness {
    public enum State { LIVE, SUSPECT, DEAD }

    /** How long suspicion lasts at most without a probe ending it: above the cluster's own detection time. */
    public static final long DEFAULT_SUSPECT_LAPSE_NANOS = 15_000_000_000L;

    private final LongSupplier nanoTime;
    private final long suspectLapseNanos;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    /** Member uuids present now; null until the first snapshot (then nobody is dead by membership). */
    private final AtomicReference<Set<String>> members = new AtomicReference<>();
    /** Members a leave event named, until a snapshot or join says otherwise (uuids are never reused). */
    private final Set<String> departed = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> onDead = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> onSuspect = new CopyOnWriteArrayList<>();

    private static final class Peer {
        volatile String memberUuid;
        /** When suspicion began; 0 when not suspect. CAS: request threads and probes race on it. */
        final AtomicLong suspectSince = new AtomicLong();
        final AtomicBoolean reportedDead = new AtomicBoolean();
        /** When the last answer came; a plain store per answer, read by a forward waiting at its deadline. */
        volatile long lastHeard;
    }

    public PeerLiveness() {
        this(System::nanoTime, DEFAULT_SUSPECT_LAPSE_NANOS);
    }

    public PeerLiveness(LongSupplier nanoTime, long suspectLapseNanos) {
        this.nanoTime = nanoTime;
        this.suspectLapseNanos = suspectLapseNanos;
    }

    // ---- evidence from the cluster ----

    /** {@code nodeId} is (now) run by cluster member {@code memberUuid}, as its published status says. */
    public void nodeSeen(String nodeId, String memberUuid) {
        Peer peer = peer(nodeId);
        String before = peer.memberUuid;
        peer.memberUuid = memberUuid;
        if (before != null && !before.equals(memberUuid)) {
            // A new member for the node: it restarted or rejoined; what we suspected of the old one is moot.
            peer.suspectSince.set(0);
        }
        checkDead(nodeId, peer);
    }

    /** The members present now (a snapshot of the cluster's member list). */
    public void membersNow(Collection<String> memberUuids) {
        members.set(Set.copyOf(memberUuids));
        departed.removeAll(memberUuids);
        peers.forEach(this::checkDead);
    }

    /** A member left the cluster: its node is dead from now on, and told to {@link #onDead} listeners. */
    public void memberLeft(String memberUuid) {
        departed.add(memberUuid);
        members.updateAndGet(present -> present == null ? null : without(present, memberUuid));
        peers.forEach(this::checkDead);
    }

    /** A member joined the cluster. */
    public void memberJoined(String memberUuid) {
        departed.remove(memberUuid);
        members.updateAndGet(present -> present == null ? null : with(present, memberUuid));
        peers.forEach(this::checkDead);
    }

    // ---- evidence from the transport ----

    /**
     * {@code nodeId} did not answer in time (first-byte deadline and a probe) or refused a connection:
     * new requests avoid it until it is heard from again.
     */
    public void suspect(String nodeId) {
        Peer peer = peer(nodeId);
        if (peer.suspectSince.compareAndSet(0, Math.max(1, nanoTime.getAsLong()))) {
            onSuspect.forEach(listener -> listener.accept(nodeId));
        }
    }

    /**
     * An answer (any HTTP answer) came from {@code nodeId}. It does not end a suspicion: the answer
     * may have waited in a socket buffer, or its thread for the CPU, since before the peer froze.
     * Only {@link #probeAnswered} by a probe sent after the suspicion began does.
     */
    public void heardFrom(String nodeId) {
        peer(nodeId).lastHeard = nanoTime.getAsLong();
    }

    /**
     * A probe sent to {@code nodeId} at {@code sentAtNanos} (on this clock) was answered: if it was
     * sent after the suspicion began, the peer was alive after it, and the suspicion ends.
     */
    public void probeAnswered(String nodeId, long sentAtNanos) {
        Peer peer = peer(nodeId);
        peer.lastHeard = nanoTime.getAsLong();
        long since = peer.suspectSince.get();
        if (since != 0 && sentAtNanos - since >= 0) {
            peer.suspectSince.compareAndSet(since, 0);
        }
    }

    /** This liveness's clock, for stamping probes. */
    public long now() {
        return nanoTime.getAsLong();
    }

    /** Whether an answer came from {@code nodeId} at or after {@code sinceNanos} (this clock): then it was not frozen. */
    public boolean heardSince(String nodeId, long sinceNanos) {
        Peer peer = peers.get(nodeId);
        return peer != null && peer.lastHeard != 0 && peer.lastHeard - sinceNanos >= 0;
    }

    // ---- asked by everyone ----

    public State state(String nodeId) {
        Peer peer = peers.get(nodeId);
        if (peer == null) {
            return State.LIVE;
        }
        if (isDead(peer)) {
            return State.DEAD;
        }
        long since = peer.suspectSince.get();
        if (since != 0) {
            if (nanoTime.getAsLong() - since < suspectLapseNanos) {
                return State.SUSPECT;
            }
            peer.suspectSince.compareAndSet(since, 0);
        }
        return State.LIVE;
    }

    public boolean isLive(String nodeId) {
        return state(nodeId) == State.LIVE;
    }

    /** Called with a node id when its member leaves the cluster (once per departure). */
    public void onDead(Consumer<String> listener) {
        onDead.add(listener);
    }

    /** Called with a node id when it becomes suspect (once per suspicion). */
    public void onSuspect(Consumer<String> listener) {
        onSuspect.add(listener);
    }

    private Peer peer(String nodeId) {
        return peers.computeIfAbsent(nodeId, id -> new Peer());
    }

    private boolean isDead(Peer peer) {
        String uuid = peer.memberUuid;
        if (uuid == null) {
            return false;
        }
        Set<String> present = members.get();
        return departed.contains(uuid) || present != null && !present.contains(uuid);
    }

    private static Set<String> without(Set<String> set, String element) {
        Set<String> copy = new HashSet<>(set);
        copy.remove(element);
        return Set.copyOf(copy);
    }

    private static Set<String> with(Set<String> set, String element) {
        Set<String> copy = new HashSet<>(set);
        copy.add(element);
        return Set.copyOf(copy);
    }

    private void checkDead(String nodeId, Peer peer) {
        boolean dead = isDead(peer);
        if (dead && peer.reportedDead.compareAndSet(false, true)) {
            onDead.forEach(listener -> listener.accept(nodeId));
        } else if (!dead) {
            peer.reportedDead.set(false);
        }
    }
}
