package io.modelserve.controller.leader;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.LeaderLease;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether this head runs the controller: the oldest head-eligible member of the cluster
 * leads (Hazelcast orders members by age, the same on every member). The CP subsystem's fenced
 * lock is Enterprise-only, so the leader fences itself with an epoch: it takes the lease by an
 * atomic conditional replace that raises the epoch, and acts only while the lease still names it
 * with that epoch. A leader back from a long pause finds a higher epoch and stands down.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);
    private static final String KEY = "lease";

    private final ClusterState state;
    private final String nodeId;
    private final Consumer<Boolean> onChange;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("leader-election").daemon(true).unstarted(r));
    private volatile long myEpoch = -1;
    private volatile boolean leading;

    public LeaderElection(ClusterState state, String nodeId, Consumer<Boolean> onChange) {
        this.state = state;
        this.nodeId = nodeId;
        this.onChange = onChange;
    }

    public LeaderElection start() {
        state.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                thread.execute(LeaderElection.this::checkSafely);
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                thread.execute(LeaderElection.this::checkSafely);
            }
        });
        thread.scheduleWithFixedDelay(this::checkSafely, 0, 500, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether this member holds the lease now (re-read from the cluster: the fence). */
    public boolean holdsLease() {
        if (!leading) {
            return false;
        }
        try {
            Optional<LeaderLease> lease = state.leader().get(KEY);
            return lease.isPresent() && lease.get().memberUuid().equals(localUuid()) && lease.get().epoch() == myEpoch;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public Optional<LeaderLease> current() {
        try {
            return state.leader().get(KEY);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            log.warn("leader election pass failed: {}", e.toString());
            setLeading(false);
        }
    }

    private void check() {
        if (!isOldestHead()) {
            setLeading(false);
            return;
        }
        String me = localUuid();
        Optional<LeaderLease> lease = state.leader().get(KEY);
        if (lease.isPresent() && lease.get().memberUuid().equals(me) && lease.get().epoch() == myEpoch) {
            setLeading(true);
            return;
        }
        long epoch = lease.map(LeaderLease::epoch).orElse(0L) + 1;
        LeaderLease mine = new LeaderLease(me, nodeId, epoch, System.currentTimeMillis());
        boolean taken = lease.isPresent() ? state.leader().replace(KEY, lease.get(), mine)
                : state.leader().putIfAbsent(KEY, mine).isEmpty();
        if (taken) {
            myEpoch = epoch;
            log.info("{} leads the controller (epoch {})", nodeId, epoch);
            setLeading(true);
        } else {
            setLeading(false); // someone changed it meanwhile; look again next pass
        }
    }

    private boolean isOldestHead() {
        for (Member member : state.hazelcast().getCluster().getMembers()) {
            if ("true".equals(member.getAttribute(ClusterMember.HEAD_ATTRIBUTE))) {
                return member.localMember();
            }
        }
        return false;
    }

    private String localUuid() {
        return state.hazelcast().getCluster().getLocalMember().getUuid().toString();
    }

    private void setLeading(boolean now) {
        if (leading != now) {
            leading = now;
            if (!now) {
                log.info("{} stands down as controller", nodeId);
            }
            onChange.accept(now);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
