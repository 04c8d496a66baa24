package io.modelserve.agent.node;

import io.modelserve.cluster.NodeStatus;
import java.util.function.BiFunction;

/**
 * Writes this node's own entry (addresses, capacity) every few seconds, and at once when its member
 * identity changed: after a split heals, the node is a new member and must say everything again.
 * Loop thread only.
 */
final class NodeAnnouncer {
    static final long ANNOUNCE_EVERY_MS = 5_000;

    private final AgentStore store;
    private final BiFunction<String, Long, NodeStatus> entry;
    private String announcedMember = "";
    private long lastAnnounce;

    /** @param entry this node's entry for a member id and the time now (see {@link #announce}) */
    NodeAnnouncer(AgentStore store, BiFunction<String, Long, NodeStatus> entry) {
        this.store = store;
        this.entry = entry;
    }

    /** Announces the node if due; returns whether its member identity changed since the last time. */
    boolean announce(long now) {
        String member = store.memberId();
        boolean newMember = !member.equals(announcedMember);
        if (newMember || now - lastAnnounce >= ANNOUNCE_EVERY_MS) {
            store.putNode(entry.apply(member, now));
            announcedMember = member;
            lastAnnounce = now;
        }
        return newMember;
    }
}
