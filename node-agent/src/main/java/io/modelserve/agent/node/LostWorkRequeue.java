package io.modelserve.agent.node;

import io.modelserve.agent.transport.PeerLiveness;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts queued requests that a dead node had taken back in their queues (exactly once cluster-wide:
 * the queue's conditional remove decides which node does it), every {@code everyMillis}. Dead is what
 * {@link PeerLiveness} says; a node with no entry at all counts as dead too. Loop thread only.
 */
public final class LostWorkRequeue {
    static final long EVERY_MS = 2_000;
    private static final Logger log = LoggerFactory.getLogger(LostWorkRequeue.class);

    private final String nodeId;
    private final PeerLiveness liveness;
    private final Supplier<Set<String>> knownNodes;
    private final ToIntFunction<Set<String>> requeueTakenByOthersThan;
    private boolean ran;
    private long lastRun;

    /** @param requeueTakenByOthersThan requeues what nodes not in the set took; returns how many */
    public LostWorkRequeue(String nodeId, PeerLiveness liveness, Supplier<Set<String>> knownNodes,
            ToIntFunction<Set<String>> requeueTakenByOthersThan) {
        this.nodeId = nodeId;
        this.liveness = liveness;
        this.knownNodes = knownNodes;
        this.requeueTakenByOthersThan = requeueTakenByOthersThan;
    }

    public void runIfDue(long now) {
        if (ran && now - lastRun < EVERY_MS) {
            return;
        }
        ran = true;
        lastRun = now;
        Set<String> live = new HashSet<>();
        for (String node : knownNodes.get()) {
            if (liveness.state(node) != PeerLiveness.State.DEAD) {
                live.add(node);
            }
        }
        live.add(nodeId);
        int requeued = requeueTakenByOthersThan.applyAsInt(live);
        if (requeued > 0) {
            log.info("node {}: requeued {} queued request(s) taken by lost nodes", nodeId, requeued);
        }
    }
}
