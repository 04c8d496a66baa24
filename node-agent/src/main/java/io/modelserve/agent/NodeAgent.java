package io.modelserve.agent;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.artifact.ArtifactCache;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.plugin.PluginLoader;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.routing.RoutedDeploymentHandle;
import io.modelserve.agent.runtime.OpenedBackend;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.ReplicaMetrics;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.agent.transport.ReplicaEndpoint;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.cluster.ServeSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's agent: runs the replicas the controller assigned to this node, reports their status, and
 * serves the ingress.
 *
 * <p>Its loop is level-based like the controller's: every pass re-reads the assignments naming
 * this node and the desired deployments, then starts what is missing, reconfigures what changed,
 * drains what is no longer assigned, and restarts failed replicas after a backoff. Events only
 * make the next pass come sooner. All loop state is owned by one thread.
 */
public final class NodeAgent implements ReplicaDirectory, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    private static final long LOOP_INTERVAL_MS = 500;
    private static final long MAX_BACKOFF_MS = 60_000;
    private static final long STATUS_REFRESH_MS = 2_000;

    private final ClusterState state;
    private final AgentOptions options;
    private final PrometheusMeterRegistry meters;
    private final RouteTable routes = new RouteTable();
    private final ReplicaRouter router;
    private final OpenedBackend.Opener opener;
    private final ScheduledExecutorService loop;
    private final ExecutorService handleExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    // Written by the loop thread only; read by worker threads (refreshDirectory), hence concurrent.
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, ReplicaStatus> published = new HashMap<>(); // loop thread only
    private final List<UUID> listeners = new ArrayList<>();
    private final io.modelserve.agent.queue.AsyncQueue asyncQueue;
    private final io.modelserve.agent.queue.QueueConsumers queueConsumers;
    private long lastRequeue;
    private volatile Map<String, List<Replica>> runningByDeployment = Map.of();
    private volatile Map<String, Boolean> startingByDeployment = Map.of();
    private volatile Map<String, List<RemoteReplica>> remoteByDeployment = Map.of();
    /** The one owner of peer liveness: membership events and the transport's evidence go in, everyone asks it. */
    private final PeerLiveness liveness = new PeerLiveness();
    private volatile long maxBodyBytes = ServeSettings.DEFAULT_MAX_BODY_BYTES;
    private Ingress ingress;
    private long lastNodePublish;

    /** A replica id's local history: the current instance and how often it was restarted. */
    private static final class Slot {
        volatile Replica replica;
        int restarts;
        long retryAtMillis;
        String requestedConfigDigest = "";
    }

    public NodeAgent(ClusterState state, AgentOptions options, PrometheusMeterRegistry meters,
            List<ArtifactCache.ArtifactSource> remoteSources) {
        this.state = state;
        this.options = options;
        this.meters = meters;
        this.router = new ReplicaRouter(this, new io.modelserve.agent.transport.Forwarder(options.clusterSecret(), liveness));
        List<ArtifactCache.ArtifactSource> sources = new ArrayList<>(remoteSources);
        sources.add(new io.modelserve.agent.artifact.PeerArtifactSource(state, options.nodeId(),
                new io.modelserve.agent.transport.ClusterSecret(options.clusterSecret())));
        this.opener = new PluginOpener(new ArtifactCache(options.workDir().resolve("artifacts"), sources, options.headEligible(),
                options.servedDirs()),
                new PluginLoader());
        this.asyncQueue = new io.modelserve.agent.queue.AsyncQueue(state.hazelcast());
        this.queueConsumers = new io.modelserve.agent.queue.QueueConsumers(options.nodeId(), asyncQueue, routes, router);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("agent-loop").daemon(true).unstarted(r));
        Gauge.builder("modelserve.node.replicas", this, a -> a.slotCountSnapshot).tag("node", options.nodeId())
                .description("Replicas this node runs").register(meters);
    }

    private volatile int slotCountSnapshot;

    private final Map<String, Long> lastDemand = new ConcurrentHashMap<>();

    /** Tells the controller (through the cluster) that a request waits for a replica; once a second at most. */
    private void signalDemand(String deployment) {
        long now = System.currentTimeMillis();
        Long last = lastDemand.get(deployment);
        if (last == null || now - last > 1_000) {
            lastDemand.put(deployment, now);
            try {
                state.demand().put(deployment, now, 1, TimeUnit.MINUTES);
            } catch (RuntimeException e) {
                log.debug("node {}: cannot signal demand for {}: {}", options.nodeId(), deployment, e.toString());
            }
        }
    }

    public NodeAgent start() {
        router.setDemandSignal(this::signalDemand);
        extensions.add(new ReplicaEndpoint(options.nodeId(), this, router, options.clusterSecret()));
        extensions.add(new io.modelserve.agent.queue.AsyncQueueEndpoints(options.nodeId(), routes, asyncQueue, () -> maxBodyBytes));
        extensions.add(new io.modelserve.agent.artifact.ArtifactEndpoint(new io.modelserve.agent.artifact.ServedFiles(
                options.workDir().resolve("artifacts"), options.servedDirs()),
                new io.modelserve.agent.transport.ClusterSecret(options.clusterSecret())));
        ingress = new Ingress(options.nodeId(), routes, router, meters, () -> maxBodyBytes, this::health, extensions)
                .start(options.bindAddress(), options.ingressPort());
        publishNode();
        listeners.add(state.assignments().onChange(key -> wake()));
        listeners.add(state.deployments().onChange(key -> wake()));
        listeners.add(state.applied().onChange(key -> wake()));
        listeners.add(state.replicas().onChange(key -> wake()));
        listeners.add(state.nodes().onChange(key -> wake()));
        state.hazelcast().getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
                liveness.memberJoined(event.getMember().getUuid().toString());
                wake();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                // Stop routing to the lost node now, not at the next pass, and retry what it held
                // (the forwarder, told by PeerLiveness, fails the calls in flight to it).
                liveness.memberLeft(event.getMember().getUuid().toString());
                refreshRemote();
                wake();
            }
        });
        loop.scheduleWithFixedDelay(this::syncSafely, 0, LOOP_INTERVAL_MS, TimeUnit.MILLISECONDS);
        log.info("node {} serving on http://{}:{}", options.nodeId(), options.bindAddress(), ingress.port());
        return this;
    }

    public String nodeId() {
        return options.nodeId();
    }

    private final List<Ingress.Extension> extensions = new ArrayList<>();

    /** Adds endpoints to this node's ingress; call before {@link #start()}. */
    public NodeAgent addIngressExtension(Ingress.Extension extension) {
        if (ingress != null) {
            throw new IllegalStateException("ingress already started");
        }
        extensions.add(extension);
        return this;
    }

    /** What this node believes of its peers (live, suspect, dead). */
    public PeerLiveness liveness() {
        return liveness;
    }

    public ReplicaRouter router() {
        return router;
    }

    public ClusterState clusterState() {
        return state;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    public Ingress ingress() {
        return ingress;
    }

    public RouteTable routes() {
        return routes;
    }

    /** Asks for a loop pass soon; many wake-ups collapse into one pass. */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakeQueued.set(false);
                syncSafely();
            });
        }
    }

    @Override
    public List<Replica> running(String deployment) {
        return runningByDeployment.getOrDefault(deployment, List.of());
    }

    @Override
    public boolean starting(String deployment) {
        return startingByDeployment.getOrDefault(deployment, false);
    }

    @Override
    public List<RemoteReplica> remote(String deployment) {
        return remoteByDeployment.getOrDefault(deployment, List.of());
    }

    @Override
    public java.util.Optional<Replica> local(String replicaId) {
        Slot slot = slots.get(replicaId);
        return slot == null ? java.util.Optional.empty() : java.util.Optional.of(slot.replica);
    }

    /** Queued requests taken by a node that died go back to their queue (exactly once, cluster-wide). */
    private void requeueWorkOfLostNodes() {
        java.util.Set<String> members = new java.util.HashSet<>();
        for (com.hazelcast.cluster.Member member : state.hazelcast().getCluster().getMembers()) {
            members.add(member.getUuid().toString());
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        for (NodeStatus node : state.nodes().values()) {
            if (members.contains(node.memberUuid())) {
                live.add(node.nodeId());
            }
        }
        live.add(options.nodeId());
        int requeued = asyncQueue.requeueTakenBy(live,
                deployment -> routes.forDeployment(deployment).map(DeploymentSpec::retry).orElse(true));
        if (requeued > 0) {
            log.info("node {}: requeued {} queued request(s) taken by lost nodes", options.nodeId(), requeued);
        }
    }

    /**
     * RUNNING replicas on other nodes whose member is alive now. A node that froze or died drops out
     * as soon as the cluster removes its member, even if its last status still says RUNNING.
     */
    private synchronized void refreshRemote() {
        try {
            java.util.Set<String> members = new java.util.HashSet<>();
            for (com.hazelcast.cluster.Member member : state.hazelcast().getCluster().getMembers()) {
                members.add(member.getUuid().toString());
            }
            liveness.membersNow(members);
            Map<String, String> urls = new HashMap<>();
            for (NodeStatus node : state.nodes().values()) {
                liveness.nodeSeen(node.nodeId(), node.memberUuid());
                if (liveness.state(node.nodeId()) != PeerLiveness.State.DEAD && !node.nodeId().equals(options.nodeId())) {
                    state.ingressOf(node).ifPresent(url -> urls.put(node.nodeId(), url)); // a member's own address only
                }
            }
            Map<String, List<RemoteReplica>> remote = new HashMap<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (ReplicaStatus status : state.replicas().values()) {
                String url = urls.get(status.node());
                if (url != null && status.state() == ReplicaState.RUNNING) {
                    remote.computeIfAbsent(status.deployment(), d -> new ArrayList<>())
                            .add(new RemoteReplica(status.replicaId(), status.deployment(), status.node(), url));
                    ids.add(status.replicaId());
                }
            }
            remote.replaceAll((d, list) -> List.copyOf(list));
            remoteByDeployment = Map.copyOf(remote);
            // Per-replica state outside the replica table shrinks with it: load counters, request timers.
            router.forwarder().retain(ids);
            ids.addAll(slots.keySet());
            if (ingress != null) {
                ingress.retainReplicaTimers(ids);
            }
        } catch (RuntimeException e) {
            log.debug("node {}: cannot refresh remote replicas now: {}", options.nodeId(), e.toString());
        }
    }

    /**
     * Marks the node ready: {@code /-/healthz} answers 200 from now on. Until then it answers 503
     * "starting", so a load balancer or script does not send traffic while the first replicas load.
     */
    public void markReady() {
        ready = true;
    }

    private volatile boolean ready;

    private Map<String, Object> health() {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", ready ? "ok" : "starting");
        health.put("node", options.nodeId());
        health.put("replicas", slotCountSnapshot);
        return health;
    }

    private void syncSafely() {
        try {
            sync();
        } catch (RuntimeException e) {
            // A failed pass (e.g. the cluster briefly unreachable) must not end the loop.
            log.warn("node {}: agent pass failed, retrying: {}", options.nodeId(), e.toString(), e);
        }
    }

    private void sync() {
        long now = System.currentTimeMillis();
        Map<String, DeploymentSpec> desired = new HashMap<>();
        for (DeploymentSpec spec : state.deployments().values()) {
            desired.put(spec.name(), spec);
        }
        routes.update(desired.values());
        state.applied().get("current").ifPresent(applied -> maxBodyBytes = applied.settings().maxBodyBytes());

        Map<String, ReplicaAssignment> mine = new HashMap<>();
        for (ReplicaAssignment assignment : state.assignments().values()) {
            if (options.nodeId().equals(assignment.node())) {
                mine.put(assignment.replicaId(), assignment);
            }
        }
        for (ReplicaAssignment assignment : mine.values()) {
            ensureRunning(assignment, desired.get(assignment.deployment()), now);
        }
        for (Map.Entry<String, Slot> entry : new ArrayList<>(slots.entrySet())) {
            if (!mine.containsKey(entry.getKey())) {
                retire(entry.getKey(), entry.getValue());
            }
        }
        refreshDirectory();
        refreshRemote();
        queueConsumers.update(runningByDeployment.keySet());
        if (now - lastRequeue > 2_000) {
            lastRequeue = now;
            requeueWorkOfLostNodes();
        }
        publishStatuses(now);
        if (now - lastNodePublish > 5_000 || !publishedMember.equals(
                state.hazelcast().getCluster().getLocalMember().getUuid().toString())) {
            publishNode();
        }
    }

    private void ensureRunning(ReplicaAssignment assignment, DeploymentSpec desired, long now) {
        Slot slot = slots.get(assignment.replicaId());
        if (slot == null) {
            slot = new Slot();
            slot.replica = newReplica(assignment, 0, null);
            slot.requestedConfigDigest = assignment.spec().configDigest();
            slots.put(assignment.replicaId(), slot);
            slot.replica.start();
            return;
        }
        Replica replica = slot.replica;
        switch (replica.phase()) {
            case FAILED -> {
                if (slot.retryAtMillis == 0) {
                    long backoff = Math.min(MAX_BACKOFF_MS, 1_000L << Math.min(slot.restarts, 16));
                    slot.retryAtMillis = now + backoff;
                    log.info("replica {} failed ({}); restarting in {} ms", assignment.replicaId(), replica.lastError(), backoff);
                } else if (now >= slot.retryAtMillis) {
                    slot.restarts++;
                    slot.retryAtMillis = 0;
                    // A restart starts from the latest desired config, not the one at creation.
                    ReplicaAssignment current = desired == null ? assignment
                            : new ReplicaAssignment(assignment.replicaId(), assignment.spec().withLiveSettingsOf(desired),
                                    assignment.node(), assignment.device(), null, assignment.createdAtMillis());
                    slot.replica = newReplica(current, slot.restarts, replica.lastError());
                    slot.requestedConfigDigest = current.spec().configDigest();
                    slot.replica.start();
                }
            }
            case RUNNING, STARTING -> {
                if (replica.abandonIfHung()) {
                    return;
                }
                if (desired != null && !desired.configDigest().equals(slot.requestedConfigDigest)) {
                    slot.requestedConfigDigest = desired.configDigest();
                    replica.reconfigure(desired.config(), desired.configDigest());
                }
            }
            case DRAINING, STOPPED -> {
                // Assigned again after a drain began (should not happen: ids are never reused).
            }
        }
    }

    private void retire(String replicaId, Slot slot) {
        Replica replica = slot.replica;
        switch (replica.phase()) {
            case RUNNING, STARTING -> replica.drain();
            case STOPPED, FAILED -> {
                slots.remove(replicaId);
                published.remove(replicaId);
                state.replicas().remove(replicaId);
            }
            case DRAINING -> { }
        }
    }

    private Replica newReplica(ReplicaAssignment assignment, int restarts, String previousError) {
        ReplicaMetrics metrics = new ReplicaMetrics(meters, assignment.deployment(), assignment.replicaId());
        return new Replica(assignment, options.nodeId(), restarts, previousError, opener, metrics,
                name -> new RoutedDeploymentHandle(name, routes, router, handleExecutor), this::onReplicaChange);
    }

    private void onReplicaChange() {
        refreshDirectory();
        wake();
    }

    /** Rebuilds the routing snapshot; called from the loop and from worker threads on phase changes. */
    private synchronized void refreshDirectory() {
        Map<String, List<Replica>> running = new HashMap<>();
        Map<String, Boolean> starting = new HashMap<>();
        List<Slot> current = new ArrayList<>(slots.values());
        for (Slot slot : current) {
            Replica replica = slot.replica;
            String deployment = replica.assignment().deployment();
            switch (replica.phase()) {
                case RUNNING -> running.computeIfAbsent(deployment, d -> new ArrayList<>()).add(replica);
                case STARTING -> starting.put(deployment, true);
                default -> { }
            }
        }
        running.replaceAll((d, list) -> List.copyOf(list));
        runningByDeployment = Map.copyOf(running);
        startingByDeployment = Map.copyOf(starting);
        slotCountSnapshot = current.size();
    }

    private void publishStatuses(long now) {
        for (Map.Entry<String, Slot> entry : slots.entrySet()) {
            Replica replica = entry.getValue().replica;
            ReplicaStatus previous = published.get(entry.getKey());
            ReplicaState observed = observedState(replica);
            ReplicaStatus next = new ReplicaStatus(replica.id(), replica.assignment().deployment(),
                    replica.assignment().version(), options.nodeId(), replica.assignment().device(), observed,
                    replica.appliedConfigDigest(), replica.lastError(), entry.getValue().restarts,
                    previous != null && previous.state() == observed ? previous.sinceMillis() : now,
                    replica.createdAtMillis(), replica.ongoing());
            if (previous == null || !sameExceptLoad(previous, next) || now - previous.sinceMillis() > STATUS_REFRESH_MS
                    && previous.ongoing() != next.ongoing()) {
                state.replicas().put(replica.id(), next);
                published.put(replica.id(), next);
            }
        }
    }

    private static boolean sameExceptLoad(ReplicaStatus a, ReplicaStatus b) {
        return a.state() == b.state() && a.configDigest().equals(b.configDigest())
                && java.util.Objects.equals(a.lastError(), b.lastError()) && a.restarts() == b.restarts();
    }

    private static ReplicaState observedState(Replica replica) {
        return switch (replica.phase()) {
            case STARTING -> ReplicaState.STARTING;
            case RUNNING -> ReplicaState.RUNNING;
            case DRAINING, STOPPED -> ReplicaState.DRAINING;
            case FAILED -> ReplicaState.FAILED;
        };
    }

    private String publishedMember = "";

    private void publishNode() {
        lastNodePublish = System.currentTimeMillis();
        String member = state.hazelcast().getCluster().getLocalMember().getUuid().toString();
        if (!member.equals(publishedMember)) {
            // A new member identity (after a split heals): everything this node said must be said again.
            publishedMember = member;
            published.clear();
        }
        state.nodes().put(options.nodeId(), new NodeStatus(options.nodeId(), member, options.bindAddress(),
                "http://" + options.bindAddress() + ":" + (ingress == null ? options.ingressPort() : ingress.port()),
                options.cpuMilli(), options.gpus(), options.headEligible(), lastNodePublish));
    }

    /** Drains every replica (bounded by {@code timeoutMillis}), then stops the ingress. */
    @Override
    public void close() {
        close(10_000);
    }

    public void close(long timeoutMillis) {
        try {
            loop.submit(() -> {
                for (Slot slot : slots.values()) {
                    slot.replica.drain();
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("node {}: could not drain replicas cleanly: {}", options.nodeId(), e.toString());
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && anyAlive()) {
            sleep(50);
        }
        loop.shutdownNow();
        queueConsumers.close();
        for (UUID listener : listeners) {
            try {
                state.assignments().removeListener(listener);
            } catch (RuntimeException ignored) {
                // Listeners die with the member anyway.
            }
        }
        try {
            for (String id : new ArrayList<>(slots.keySet())) {
                state.replicas().remove(id);
            }
            state.nodes().remove(options.nodeId());
        } catch (RuntimeException e) {
            log.debug("node {}: cluster gone before cleanup", options.nodeId());
        }
        if (ingress != null) {
            ingress.close();
        }
        handleExecutor.shutdownNow();
    }

    private boolean anyAlive() {
        for (Slot slot : new ArrayList<>(slots.values())) {
            Replica.Phase phase = slot.replica.phase();
            if (phase != Replica.Phase.STOPPED && phase != Replica.Phase.FAILED) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests and status: replica id -> phase of what runs here. */
    public Map<String, Replica.Phase> localPhases() {
        Map<String, Replica.Phase> phases = new HashMap<>();
        slots.forEach((id, slot) -> phases.put(id, slot.replica.phase()));
        return phases;
    }
}
