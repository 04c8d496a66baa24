package io.modelserve.cli;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.AgentOptions;
import io.modelserve.agent.NodeAssembly;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.MemberOptions;
import io.modelserve.cluster.ServeSettings;
import io.modelserve.controller.admin.AdminApi;
import io.modelserve.controller.admin.ClusterReport;
import io.modelserve.controller.admin.ConfigApplier;
import io.modelserve.controller.admin.TimelyReport;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.admin.DeploymentHealth;
import io.modelserve.controller.admin.EventFeed;
import io.modelserve.controller.events.EventLog;
import io.modelserve.controller.dashboard.Dashboard;
import io.modelserve.controller.dashboard.TrafficHistory;
import io.modelserve.controller.dashboard.PrometheusConventions;
import io.modelserve.controller.dashboard.ReplicaLogs;
import io.modelserve.controller.dashboard.RequestLogs;
import io.modelserve.controller.reconcile.Clock;
import io.modelserve.controller.reconcile.ControllerLoop;
import io.modelserve.controller.reconcile.HazelcastControllerStore;
import io.modelserve.controller.reconcile.OwnedState;
import io.modelserve.controller.state.StateDirectory;
import io.modelserve.controller.leader.LeaderElection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A head: a Hazelcast member that runs the controller, the admin API and a local node agent.
 * Startup order matters: the cluster first (everything reads it), the agent next (so the controller
 * sees a node to place on), then the controller and the admin API, and the conf.ini last.
 */
final class HeadProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeadProcess.class);

    private final HazelcastInstance hazelcast;
    private final NodeAssembly agent;
    private final ControllerLoop controller;
    private final LeaderElection election;
    private final AdminApi admin;
    private final Path headRecord;
    private final Runnable unsubscribe;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Parsed command-line choices for a head. */
    record Options(Path conf, String bind, int clusterPort, List<String> join, long cpuMilli,
            List<io.modelserve.cluster.GpuDevice> gpus, boolean standby, int failureTimeoutSeconds) {}

    private HeadProcess(HazelcastInstance hazelcast, NodeAssembly agent, ControllerLoop controller, LeaderElection election,
            AdminApi admin, Path headRecord, Runnable unsubscribe) {
        this.hazelcast = hazelcast;
        this.agent = agent;
        this.controller = controller;
        this.election = election;
        this.admin = admin;
        this.headRecord = headRecord;
        this.unsubscribe = unsubscribe;
    }

    static HeadProcess start(Options options, ServeSettings settings, String confText) throws Exception {
        long started = System.nanoTime();
        StateDirectory disk = new StateDirectory(settings.stateDir().isEmpty()
                ? options.conf().toAbsolutePath().getParent().resolve("state") : Path.of(settings.stateDir()));
        String self = options.bind() + ":" + options.clusterPort();
        MemberOptions member = new MemberOptions(settings.clusterName(), options.bind(), options.clusterPort(),
                joinList(options.join(), disk, self), true, options.failureTimeoutSeconds(), settings.clusterSecret());
        HazelcastInstance hazelcast = ClusterMember.start(member);
        rememberMembers(hazelcast, disk);
        ClusterState state = new ClusterState(hazelcast);
        PrometheusMeterRegistry meters = meters();
        String nodeId = "node-" + options.bind();
        Path workDir = options.conf().toAbsolutePath().getParent().resolve(".modelserve").resolve(nodeId);
        Path logDir = Path.of(System.getProperty("modelserve.logDir", "logs"));
        ReplicaLogs replicaLogs = new ReplicaLogs(logDir.resolve("replicas"));
        RequestLogs requestLogs = RequestLogs.under(logDir);
        NodeAssembly agent = new NodeAssembly(state, new AgentOptions(nodeId, options.bind(), settings.port(), options.cpuMilli(),
                options.gpus().size(), workDir, true, member.keys().httpToken(),
                servedDirs(settings), options.gpus()), meters, List.of()).addIngressExtension(replicaLogs::register)
                .addIngressExtension(requestLogs::register);
        agent.start();
        if (settings.grpcPort() != 0) {
            agent.serveGrpc(settings.grpcPort());
        }
        HazelcastControllerStore store = new HazelcastControllerStore(state);
        OwnedState owned = new OwnedState(Optional.of(disk));
        EventLog events = new EventLog(store, Clock.SYSTEM, nodeId);
        ControllerLoop controller = new ControllerLoop(store, Clock.SYSTEM, meters, owned, events);
        controller.setActive(false);
        LeaderElection election = new LeaderElection(state, nodeId, controller::setActive);
        controller.setFence(election::holdsLease);
        controller.start();
        election.start();
        java.util.UUID onStatus = state.replicas().onChange(key -> controller.trigger());
        java.util.UUID onNode = state.nodes().onChange(key -> controller.trigger());
        Runnable unsubscribe = () -> {
            state.replicas().removeListener(onStatus);
            state.nodes().removeListener(onNode);
        };
        ConfigApplier applier = new ConfigApplier(store, owned, new ConfigParser(BuiltinSchemas.standard(), System::getenv),
                election::holdsLease, System::currentTimeMillis, controller::trigger, settings.clusterSecret(), events);
        HeadProcess[] head = new HeadProcess[1];
        TrafficHistory traffic = Dashboard.newHistory();
        // Off the request thread, bounded: a frozen member must not stall the admin API (TimelyReport).
        AdminApi admin = new AdminApi(applier,
                new TimelyReport<>(() -> ClusterReport.of(store, election.current().map(l -> l.nodeId()).orElse("none"),
                        applier.current().map(c -> c.generation()).orElse(0L),
                        name -> traffic.recent(name, System.currentTimeMillis(), DeploymentHealth.WINDOW_MS)), 1_000),
                () -> head[0].close(), leadership(state, election, settings.dashboardPort()));
        io.modelserve.agent.models.ModelRepository repository = agent.models();
        admin.serveModels(new io.modelserve.controller.admin.ModelControl() {
            @Override
            public Answer list(String deployment) {
                var answer = repository.list(deployment);
                return new Answer(answer.status(), answer.body());
            }

            @Override
            public Answer change(String deployment, String model, boolean load) {
                var answer = repository.change(deployment, model, load, false);
                return new Answer(answer.status(), answer.body());
            }
        });
        new Dashboard(state, nodeId, admin::report, replicaLogs, requestLogs, meters, traffic).mount(admin.javalin()).start(); // stops with admin
        new EventFeed(() -> state.events().values()).mount(admin.javalin());
        admin.start(options.bind(), settings.dashboardPort());
        Path record = options.conf().toAbsolutePath().getParent().resolve(HeadAddress.RECORD);
        Files.createDirectories(record.getParent());
        Files.writeString(record, options.bind() + ":" + admin.port() + "\n");
        head[0] = new HeadProcess(hazelcast, agent, controller, election, admin, record, unsubscribe);

        if (options.standby()) {
            System.out.println("standby head " + nodeId + " joined; it runs the controller when it is the oldest head");
            agent.markReady();
            return head[0];
        }
        if (!awaitLease(election, hazelcast)) {
            String leader = election.current().map(l -> l.nodeId()).orElse("none");
            System.out.println("head " + nodeId + " joined a cluster led by " + leader + "; " + options.conf()
                    + " not applied from here (run modelserve apply)");
            agent.markReady();
            return head[0];
        }
        ConfigApplier.Result result = applier.apply(options.conf().toAbsolutePath(), confText, false);
        if (result.rejected()) {
            result.errors().forEach(e -> System.err.println(e));
        } else {
            System.out.println("applied " + options.conf() + ":");
            result.plan().changes().forEach(change -> System.out.println("  " + change));
        }
        Thread.ofPlatform().name("head-readiness").daemon(true).start(() -> awaitFirstConvergence(store, agent));
        log.info("head up in {} ms: ingress http://{}:{}, admin http://{}:{}", (System.nanoTime() - started) / 1_000_000,
                options.bind(), settings.port(), options.bind(), admin.port());
        return head[0];
    }

    /**
     * The members this head last saw are joined too: a head restarted without a standby must find the
     * cluster its agents kept running, not start a new one that a later merge would resolve by
     * discarding one side's state (which restarted every replica).
     */
    private static List<String> joinList(List<String> join, StateDirectory disk, String self) {
        java.util.LinkedHashSet<String> members = new java.util.LinkedHashSet<>(join);
        try {
            members.addAll(disk.members());
        } catch (RuntimeException e) {
            log.warn("cannot read the members this head last saw: {}", e.toString());
        }
        members.remove(self);
        return List.copyOf(members);
    }

    /** Every member address, this head's included (each head filters itself out when it reads). */
    private static void rememberMembers(HazelcastInstance hazelcast, StateDirectory disk) {
        Runnable save = () -> {
            try {
                disk.saveMembers(hazelcast.getCluster().getMembers().stream()
                        .map(m -> m.getAddress().getHost() + ":" + m.getAddress().getPort()).sorted().toList());
            } catch (RuntimeException e) {
                log.warn("cannot record the cluster's members in {}: {}", disk.path(), e.toString());
            }
        };
        hazelcast.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
                save.run();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                // Kept: a member that is gone may be back, and the list is only where to look.
            }
        });
        save.run();
    }

    /** The leader's admin API is at its node's address and the cluster's dashboard_port. */
    private static AdminApi.Leadership leadership(ClusterState state, LeaderElection election, int dashboardPort) {
        return new AdminApi.Leadership() {
            @Override
            public boolean leads() {
                return election.holdsLease();
            }

            @Override
            public Optional<String> leaderAdmin() {
                // Only a lease held by another live member names a leader. While the lease still names a
                // dead head, or names this head before its own election pass has confirmed it, there is
                // no one to send an apply to: the caller gets 503 + Retry-After, never a redirect to a
                // dead address or to itself.
                String me = state.hazelcast().getCluster().getLocalMember().getUuid().toString();
                return election.current()
                        .filter(lease -> !lease.memberUuid().equals(me))
                        .filter(lease -> state.hazelcast().getCluster().getMembers().stream()
                                .anyMatch(member -> member.getUuid().toString().equals(lease.memberUuid())))
                        .flatMap(lease -> state.nodes().get(lease.nodeId()))
                        .map(node -> node.address() + ":" + dashboardPort);
            }
        };
    }

    /** A head applies its conf.ini only as the leader; another head that leads already keeps the lease. */
    private static boolean awaitLease(LeaderElection election, HazelcastInstance hazelcast) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String me = hazelcast.getCluster().getLocalMember().getUuid().toString();
        while (System.nanoTime() < deadline) {
            if (election.holdsLease()) {
                return true;
            }
            boolean anotherLeads = election.current().map(lease -> !lease.memberUuid().equals(me)
                    && hazelcast.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(lease.memberUuid())))
                    .orElse(false);
            if (anotherLeads) {
                return false;
            }
            Thread.sleep(50);
        }
        return election.holdsLease();
    }

    /**
     * The head reports ready once the conf.ini it started with has converged, or has failures that
     * waiting will not fix, or after two minutes: a FAILED plugin must not keep the head unready.
     */
    private static void awaitFirstConvergence(HazelcastControllerStore store, NodeAssembly agent) {
        long deadline = System.currentTimeMillis() + 120_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                ClusterReport report = ClusterReport.of(store, agent.nodeId(), 0);
                if (report.converged() || !report.failures().isEmpty()) {
                    break;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("readiness check failed; reporting ready anyway", e);
        }
        agent.markReady();
    }

    /**
     * What the head's artifact endpoint may serve from besides its cache: its own plugin and model
     * directories, and the wheelhouse/ beside algopkg_dir whose wheels Python packages install from.
     */
    private static List<Path> servedDirs(ServeSettings settings) {
        List<Path> dirs = new java.util.ArrayList<>(java.util.stream.Stream.of(settings.algopkgDir(), settings.modelZoo())
                .filter(dir -> dir != null && !dir.isBlank()).map(Path::of).toList());
        if (settings.algopkgDir() != null && !settings.algopkgDir().isBlank()) {
            Path parent = Path.of(settings.algopkgDir()).toAbsolutePath().normalize().getParent();
            if (parent != null) {
                dirs.add(parent.resolve("wheelhouse"));
            }
        }
        return dirs;
    }

    /** The node registry: JVM and process meters, help texts for promtool. Shared by heads and agents. */
    static PrometheusMeterRegistry meters() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.config().meterFilter(new PrometheusConventions()); // before any meter: help texts for promtool
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        return meters;
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Drains replicas, then leaves the cluster. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        log.info("head stopping: draining replicas");
        election.close();
        unsubscribe.run(); // before the controller stops: a late event would trigger a closed loop
        controller.close();
        agent.close();
        admin.close();
        try {
            Files.deleteIfExists(headRecord);
        } catch (java.io.IOException ignored) {
            // A stale record only makes the CLI try an address where nothing listens.
        }
        hazelcast.shutdown();
        log.info("head stopped");
        stopped.countDown();
    }
}
