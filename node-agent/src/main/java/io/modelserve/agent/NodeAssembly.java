package io.modelserve.agent;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.artifact.ArtifactCache;
import io.modelserve.agent.artifact.ArtifactEndpoint;
import io.modelserve.agent.artifact.PeerArtifactSource;
import io.modelserve.agent.artifact.ServedFiles;
import io.modelserve.agent.builtin.OpenInferenceEndpoints;
import io.modelserve.agent.builtin.OpenInferenceService;
import io.modelserve.agent.grpc.GrpcIngress;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.http.RequestLog;
import io.modelserve.agent.openai.EmbeddingsEndpoints;
import io.modelserve.agent.node.AgentLoop;
import io.modelserve.agent.node.DemandSignal;
import io.modelserve.agent.node.HazelcastAgentStore;
import io.modelserve.agent.node.LocalReplicas;
import io.modelserve.agent.node.LoopThread;
import io.modelserve.agent.node.LostWorkRequeue;
import io.modelserve.agent.node.NodeDirectory;
import io.modelserve.agent.node.RemoteView;
import io.modelserve.agent.node.RestartPolicy;
import io.modelserve.agent.plugin.PluginLoader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.queue.AsyncQueue;
import io.modelserve.agent.queue.AsyncQueueEndpoints;
import io.modelserve.agent.queue.QueueConsumers;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.routing.RoutedDeploymentHandle;
import io.modelserve.agent.runtime.OpenedBackend;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.ReplicaMetrics;
import io.modelserve.agent.transport.ClusterSecret;
import io.modelserve.agent.transport.Forwarder;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.agent.transport.ReplicaEndpoint;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a node is wired, for heads ({@code HeadProcess}) and agents ({@code AgentCommand})
 * alike: the cluster store, the {@link AgentLoop} on its {@link LoopThread}, the routing snapshots
 * ({@link LocalReplicas}, {@link RemoteView}), the router and forwarder, peer liveness, the async
 * queue's consumers and requeue, demand signals, and the ingress with its endpoints. It decides
 * nothing itself; what runs on each thread:
 * <ul>
 *   <li>{@code agent-loop}: every 500 ms and when woken, {@link #tick()}: routes, the agent pass,
 *       the routing snapshots, queue consumers, lost-work requeue;</li>
 *   <li>Hazelcast event threads: the store's copies, the remote view, membership into liveness,
 *       then a wake-up of the loop;</li>
 *   <li>replica workers: a phase change refreshes the local snapshot and wakes the loop.</li>
 * </ul>
 * Over 300 lines because it is only wiring: each part is built, connected and closed here, in order.
 */
public final class NodeAssembly implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAssembly.class);
    private static final long LOOP_INTERVAL_MS = 500;

    private final ClusterState state;
    private final AgentOptions options;
    private final PrometheusMeterRegistry meters;
    private final InstantSource clock = InstantSource.system();
    private final RouteTable routes = new RouteTable();
    private final PeerLiveness liveness = new PeerLiveness();
    private final LoopThread thread;
    private final HazelcastAgentStore store;
    private final AgentLoop<Replica> loop;
    private final LocalReplicas local;
    private final RemoteView remote;
    private final ReplicaRouter router;
    private final AsyncQueue asyncQueue;
    /** One budget for every body this node reads: routes, queue posts, Open Inference, forwarded requests. */
    private final RequestBodies bodies;
    private final QueueConsumers queueConsumers;
    private final LostWorkRequeue lostWork;
    /** Null on a node that cannot be a head: the queue is cluster-wide, and heads export it. */
    private final io.modelserve.agent.queue.QueueMeters queueMeters;
    private final OpenInferenceService openInference;
    private final ExecutorService handleExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Ingress.Extension> extensions = new ArrayList<>();
    private final List<Runnable> unsubscribe = new ArrayList<>();
    private final io.modelserve.agent.gpu.GpuSampler gpus;
    private volatile Ingress ingress;
    private final io.modelserve.agent.access.AccessLog accessLog;
    private volatile GrpcIngress grpc;
    private volatile boolean ready;

    /** A node whose replicas load plugins from the artifact cache (fed by {@code remoteSources} and peers). */
    public NodeAssembly(ClusterState state, AgentOptions options, PrometheusMeterRegistry meters,
            List<ArtifactCache.ArtifactSource> remoteSources) {
        this(state, options, meters, pluginOpener(state, options, remoteSources));
    }

    private static OpenedBackend.Opener pluginOpener(ClusterState state, AgentOptions options,
            List<ArtifactCache.ArtifactSource> remoteSources) {
        List<ArtifactCache.ArtifactSource> sources = new ArrayList<>(remoteSources);
        sources.add(new PeerArtifactSource(state, options.nodeId(), new ClusterSecret(options.clusterSecret())));
        return new PluginOpener(new ArtifactCache(options.workDir().resolve("artifacts"), sources, options.headEligible(),
                options.servedDirs()), new PluginLoader(), new io.modelserve.agent.builtin.OnnxDevices(
                options.devices().stream().filter(io.modelserve.cluster.GpuDevice::simulated)
                        .map(io.modelserve.cluster.GpuDevice::index).collect(java.util.stream.Collectors.toSet())),
                new io.modelserve.agent.isolation.PythonRuntime(options.workDir().resolve("python")));
    }

    /** A node whose replicas open their backends with {@code opener} (tests give a fake one). */
    public NodeAssembly(ClusterState state, AgentOptions options, PrometheusMeterRegistry meters,
            OpenedBackend.Opener opener) {
        this.state = state;
        this.options = options;
        this.meters = meters;
        this.gpus = io.modelserve.agent.gpu.GpuSampler.of(options.devices());
        this.thread = new LoopThread("agent-loop", LOOP_INTERVAL_MS, this::tick);
        this.store = new HazelcastAgentStore(state, options.nodeId(), thread::wake);
        this.remote = new RemoteView(options.nodeId(), liveness, state::ingressOf);
        LocalReplicas[] localRef = new LocalReplicas[1];
        ReplicaRouter[] routerRef = new ReplicaRouter[1];
        this.loop = new AgentLoop<>(options.nodeId(), store, (assignment, restarts, previousError) -> new Replica(assignment,
                options.nodeId(), restarts, previousError, opener,
                new ReplicaMetrics(meters, assignment.deployment(), assignment.replicaId(), buckets()),
                name -> new RoutedDeploymentHandle(name, routes, routerRef[0], handleExecutor),
                () -> {
                    localRef[0].refresh();
                    thread.wake();
                }), RestartPolicy.DEFAULT, clock, this::nodeEntry);
        this.local = new LocalReplicas(loop::replicas);
        localRef[0] = local;
        this.router = new ReplicaRouter(new NodeDirectory(local, remote), new Forwarder(options.clusterSecret(), liveness));
        routerRef[0] = router;
        this.accessLog = new io.modelserve.agent.access.AccessLog(
                java.nio.file.Path.of(System.getProperty("modelserve.logDir", "logs"), "access"), options.nodeId(),
                store::telemetry, meters);
        this.bodies = new RequestBodies(store::maxBodyBytes,
                new InflightBudget(() -> store.memory().inflightBytes(Runtime.getRuntime().maxMemory())));
        this.openInference = new OpenInferenceService(routes, router, requestLog(),
                options.workDir().resolve("artifacts"), options.servedDirs(), accessLog);
        this.asyncQueue = new AsyncQueue(state.hazelcast(), store::memory);
        this.queueMeters = options.headEligible() ? new io.modelserve.agent.queue.QueueMeters(asyncQueue, meters) : null;
        this.queueConsumers = new QueueConsumers(options.nodeId(), asyncQueue, routes, router);
        this.lostWork = new LostWorkRequeue(options.nodeId(), liveness, remote::knownNodes, live -> {
            asyncQueue.recountIfOldest(); // at most every 30 s, on one member
            return asyncQueue.requeueTakenBy(live,
                    deployment -> routes.forDeployment(deployment).map(DeploymentSpec::retry).orElse(true));
        });
        Gauge.builder("modelserve.node.replicas", local, LocalReplicas::count).tag("node", options.nodeId())
                .description("Replicas this node runs").register(meters);
        FunctionCounter.builder("modelserve.node.status.writes", loop, AgentLoop::statusWrites).tag("node", options.nodeId())
                .description("Replica statuses this node wrote to the cluster").register(meters);
        registerGpuGauges();
    }

    /** Per device, from the sampler's last reading (every 5 s): no probe runs on a scrape. */
    private void registerGpuGauges() {
        for (io.modelserve.cluster.GpuDevice device : options.devices()) {
            int index = device.index();
            io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("node", options.nodeId(),
                    "gpu", String.valueOf(index), "name", device.name(), "simulated", String.valueOf(device.simulated()));
            Gauge.builder("modelserve.gpu.utilization", gpus, g -> gpuValue(g, index, io.modelserve.cluster.GpuUsage::utilization))
                    .tags(tags).baseUnit("ratio").description("Share of time a kernel ran on the GPU (nvidia-smi utilization.gpu); -1 unknown")
                    .register(meters);
            Gauge.builder("modelserve.gpu.memory.used", gpus, g -> gpuValue(g, index, u -> (double) u.memoryUsedBytes()))
                    .tags(tags).baseUnit("bytes").description("GPU memory in use by all processes on the device; -1 unknown")
                    .register(meters);
            Gauge.builder("modelserve.gpu.memory.total", gpus, g -> gpuValue(g, index, u -> (double) u.memoryTotalBytes()))
                    .tags(tags).baseUnit("bytes").description("GPU memory of the device").register(meters);
        }
    }

    private static double gpuValue(io.modelserve.agent.gpu.GpuSampler sampler, int index,
            java.util.function.ToDoubleFunction<io.modelserve.cluster.GpuUsage> value) {
        for (io.modelserve.cluster.GpuUsage usage : sampler.latest()) {
            if (usage.index() == index) {
                return value.applyAsDouble(usage);
            }
        }
        return -1;
    }

    /** Adds endpoints to this node's ingress; call before {@link #start()}. */
    public NodeAssembly addIngressExtension(Ingress.Extension extension) {
        if (ingress != null) {
            throw new IllegalStateException("ingress already started");
        }
        extensions.add(extension);
        return this;
    }

    public NodeAssembly start() {
        router.setDemandSignal(new DemandSignal(
                (deployment, at) -> state.demand().put(deployment, at, 1, TimeUnit.MINUTES), clock));
        extensions.add(new ReplicaEndpoint(options.nodeId(), directory(), router, options.clusterSecret(), bodies));
        extensions.add(new io.modelserve.agent.models.ModelRepositoryEndpoints(models(), options.clusterSecret()));
        extensions.add(new AsyncQueueEndpoints(options.nodeId(), routes, asyncQueue, bodies, accessLog));
        extensions.add(new OpenInferenceEndpoints(openInference(), bodies));
        extensions.add(new EmbeddingsEndpoints(routes, router, bodies, requestLog(), accessLog));
        extensions.add(new ArtifactEndpoint(new ServedFiles(options.workDir().resolve("artifacts"), options.servedDirs()),
                new ClusterSecret(options.clusterSecret())));
        ingress = new Ingress(options.nodeId(), routes, router, meters, bodies, this::health, extensions, accessLog,
                this::buckets)
                .start(options.bindAddress(), options.ingressPort());
        store.start();
        UUID statuses = state.replicas().onEntry(remote::statusChanged);
        unsubscribe.add(() -> state.replicas().removeListener(statuses));
        UUID nodes = state.nodes().onEntry(remote::nodeChanged);
        unsubscribe.add(() -> state.nodes().removeListener(nodes));
        state.nodes().entries().forEach((id, node) -> remote.nodeChanged(id, java.util.Optional.of(node)));
        state.replicas().entries().forEach((id, status) -> remote.statusChanged(id, java.util.Optional.of(status)));
        UUID membership = state.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                liveness.memberJoined(event.getMember().getUuid().toString());
                remote.refresh();
                thread.wake();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                // Stop routing to the lost node now, not at the next pass, and retry what it held
                // (the forwarder, told by PeerLiveness, fails the calls in flight to it).
                liveness.memberLeft(event.getMember().getUuid().toString());
                remote.refresh();
                thread.wake();
            }
        });
        unsubscribe.add(() -> state.hazelcast().getCluster().removeMembershipListener(membership));
        gpus.start(5_000); // the node entry's period
        thread.start();
        log.info("node {} serving on http://{}:{}", options.nodeId(), options.bindAddress(), ingress.port());
        return this;
    }

    /** {@code latency_buckets_ms} as applied now: the buckets of every latency timer made from now on. */
    private java.time.Duration[] buckets() {
        return io.modelserve.agent.runtime.LatencyBuckets.of(store.telemetry().latencyBucketsMs());
    }

    /** One turn of the loop thread. */
    private void tick() {
        routes.update(store.desired().values());
        loop.pass();
        local.refresh();
        Set<String> members = new HashSet<>();
        for (Member member : state.hazelcast().getCluster().getMembers()) {
            members.add(member.getUuid().toString());
        }
        liveness.membersNow(members);
        remote.refresh();
        // Per-replica state outside the replica table shrinks with it: load counters, request timers.
        Set<String> ids = new HashSet<>(remote.replicaIds());
        router.forwarder().retain(ids);
        ids.addAll(local.ids());
        Ingress started = ingress;
        if (started != null) {
            started.retainReplicaTimers(ids);
        }
        queueConsumers.update(local.deploymentsRunning());
        lostWork.runIfDue(clock.millis());
        if (queueMeters != null) {
            queueMeters.sampleIfDue(routes.deployments().stream().filter(spec -> !spec.isCanary()).map(DeploymentSpec::name)
                    .toList(), clock.millis());
        }
    }

    private NodeStatus nodeEntry(String member, long now) {
        Ingress started = ingress;
        return new NodeStatus(options.nodeId(), member, options.bindAddress(),
                "http://" + options.bindAddress() + ":" + (started == null ? options.ingressPort() : started.port()),
                options.cpuMilli(), options.gpus(), options.headEligible(), now, UsageProbe.measure(now, gpus.latest()),
                options.devices());
    }

    public String nodeId() {
        return options.nodeId();
    }

    /**
     * Serves the Open Inference Protocol's gRPC service on {@code port} ({@code grpc_port}) of this
     * node's address, after {@link #start()}; the port it listens on (0 picks one, for tests).
     */
    public int serveGrpc(int port) {
        if (ingress == null) {
            throw new IllegalStateException("start the node first");
        }
        grpc = new GrpcIngress(openInference, bodies, options.bindAddress(), port).start();
        log.info("node {} serving gRPC (Open Inference Protocol) on {}:{}", options.nodeId(), options.bindAddress(), grpc.port());
        return grpc.port();
    }

    /** The Open Inference Protocol's calls on this node, for its REST endpoints and its gRPC service. */
    public OpenInferenceService openInference() {
        return openInference;
    }

    /** Counts a request in the ingress's {@code modelserve.requests} (nothing before the ingress started). */
    public RequestLog requestLog() {
        return (spec, replicaId, status, startedNanos) -> {
            Ingress started = ingress;
            if (started != null) {
                started.record(spec, replicaId, status, startedNanos);
            }
        };
    }

    /** The body limits and in-flight budget of this node, for endpoints added to its ingress. */
    public RequestBodies bodies() {
        return bodies;
    }

    public RouteTable routes() {
        return routes;
    }

    public ReplicaRouter router() {
        return router;
    }

    /** The replicas this node's router sends to (local, then remote). */
    /** The model repository of this node's view of multiplexed sections (the head's /api/models uses it). */
    public synchronized io.modelserve.agent.models.ModelRepository models() {
        if (models == null) {
            models = new io.modelserve.agent.models.ModelRepository(routes, directory(), options.clusterSecret());
        }
        return models;
    }

    private io.modelserve.agent.models.ModelRepository models;

    public ReplicaDirectory directory() {
        return new NodeDirectory(local, remote);
    }

    /** What this node believes of its peers (live, suspect, dead). */
    public PeerLiveness liveness() {
        return liveness;
    }

    /**
     * Marks the node ready: {@code /-/healthz} answers 200 from now on. Until then it answers 503
     * "starting", so a load balancer or script does not send traffic while the first replicas load.
     */
    public void markReady() {
        ready = true;
    }

    private Map<String, Object> health() {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", ready ? "ok" : "starting");
        health.put("node", options.nodeId());
        health.put("replicas", local.count());
        return health;
    }

    /** Drains every replica (bounded), then stops the loop, removes its listeners and entries, and the ingress. */
    @Override
    public void close() {
        close(10_000);
    }

    public void close(long timeoutMillis) {
        thread.runAndWait(loop::drainAll, 5_000);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && loop.anyAlive()) {
            try {
                Thread.sleep(50); // bounded wait for the workers to finish their queues
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        thread.close();
        gpus.close();
        queueConsumers.close();
        asyncQueue.close();
        store.close();
        for (Runnable remove : unsubscribe) {
            try {
                remove.run();
            } catch (RuntimeException ignored) {
                // Listeners die with the member anyway.
            }
        }
        try {
            loop.unpublish();
        } catch (RuntimeException e) {
            log.debug("node {}: cluster gone before cleanup", options.nodeId());
        }
        GrpcIngress grpcStarted = grpc;
        if (grpcStarted != null) {
            grpcStarted.close();
        }
        Ingress started = ingress;
        if (started != null) {
            started.close();
        }
        accessLog.close(); // after the front doors: their last lines are written
        handleExecutor.shutdownNow();
    }
}
