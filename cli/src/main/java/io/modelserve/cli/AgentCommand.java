package io.modelserve.cli;

import com.hazelcast.core.HazelcastInstance;
import io.modelserve.agent.AgentOptions;
import io.modelserve.agent.NodeAssembly;
import io.modelserve.agent.gpu.GpuOffer;
import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.MemberOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true, description = "Start a worker node: joins the cluster and runs the replicas the controller places on it.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--join", required = true, description = "HOST[:PORT] of a cluster member (port 5701 by default)")
    List<String> join;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address every listener of this node binds (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--cluster-port", defaultValue = "5701", description = "Hazelcast port (default: ${DEFAULT-VALUE})")
    int clusterPort;

    @Option(names = "--cluster-name", defaultValue = "modelserve", description = "cluster_name of conf.ini (default: ${DEFAULT-VALUE})")
    String clusterName;

    @Option(names = "--cpus", description = "CPU cores this node offers to replicas (default: its cores)")
    Double cpus;

    @picocli.CommandLine.Mixin
    GpuOptions gpus;

    @Option(names = "--work-dir", defaultValue = ".modelserve", description = "artifact cache and logs (default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--failure-timeout", defaultValue = "8", description = "seconds of silence before a node is declared dead (default: ${DEFAULT-VALUE})")
    int failureTimeoutSeconds;

    @Option(names = "--cluster-secret-env", defaultValue = "MODELSERVE_CLUSTER_SECRET", description = "environment"
            + " variable holding the cluster secret, the one conf.ini's cluster_secret names (default: ${DEFAULT-VALUE})")
    String clusterSecretEnv;

    @Option(names = "--insecure", description = "allow a non-loopback --bind without a cluster secret: anyone who"
            + " reaches the cluster port can then join and control the cluster")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        String nodeId = "node-" + bind;
        System.setProperty("modelserve.logDir", workDir.toAbsolutePath().resolve("logs").toString());
        System.setProperty("modelserve.process", "agent-" + bind);
        Logger log = LoggerFactory.getLogger(AgentCommand.class);
        // Before joining: a node that cannot offer what it was told to refuses at once, naming both numbers.
        GpuOffer.Offered offer;
        switch (gpus.decide()) {
            case GpuOffer.Refused refused -> {
                System.err.println("error: " + refused.message());
                return 2;
            }
            case GpuOffer.Offered offered -> offer = offered;
        }
        log.info("GPUs: {}", offer.note());
        // The secret comes first: it decides the cluster name on the wire, so without it there is no join.
        String clusterSecret = Optional.ofNullable(System.getenv(clusterSecretEnv)).orElse("");
        Optional<String> refusal = InsecureBind.refusal(bind, !clusterSecret.isEmpty(), insecure,
                "environment variable " + clusterSecretEnv);
        if (refusal.isPresent()) {
            System.err.println(refusal.get());
            return 2;
        }
        MemberOptions member = new MemberOptions(clusterName, bind, clusterPort, join, false, failureTimeoutSeconds,
                clusterSecret);
        HazelcastInstance hazelcast = ClusterMember.start(member);
        if (hazelcast.getCluster().getMembers().size() < 2) {
            // Alone: no member at --join took this node. Hazelcast does not say why (it never tells a
            // stranger the right name); the usual causes are these.
            System.err.println("error: no member at " + String.join(", ", join) + " accepted this node: its cluster"
                    + " secret (" + clusterSecretEnv + (clusterSecret.isEmpty() ? ", not set" : "")
                    + ") or --cluster-name is not the cluster's, or no member listens there");
            hazelcast.shutdown();
            return 2;
        }
        ClusterState state = new ClusterState(hazelcast);
        AppliedConfig applied = awaitAppliedConfig(state, log);
        long cpuMilli = Math.round((cpus != null ? cpus : Runtime.getRuntime().availableProcessors()) * 1000);
        NodeAssembly agent = new NodeAssembly(state, new AgentOptions(nodeId, bind, applied.settings().port(), cpuMilli,
                offer.devices().size(), workDir.toAbsolutePath().resolve(nodeId), false,
                member.keys().httpToken(), List.of(), offer.devices()),
                HeadProcess.meters(), List.of());
        Path logDir = workDir.toAbsolutePath().resolve("logs");
        agent.addIngressExtension(new io.modelserve.controller.dashboard.ReplicaLogs(logDir.resolve("replicas"))::register);
        agent.addIngressExtension(io.modelserve.controller.dashboard.RequestLogs.under(logDir)::register);
        agent.start();
        if (applied.settings().grpcPort() != 0) {
            agent.serveGrpc(applied.settings().grpcPort());
        }
        agent.markReady();
        System.out.println("agent " + nodeId + " joined cluster " + clusterName + "; ingress http://" + bind + ":"
                + applied.settings().port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            hazelcast.shutdown();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** The ingress port comes from the applied conf.ini: wait for a head to have applied one. */
    private static AppliedConfig awaitAppliedConfig(ClusterState state, Logger log) throws InterruptedException {
        long nextNotice = 0;
        while (true) {
            Optional<AppliedConfig> applied = state.applied().get("current");
            if (applied.isPresent()) {
                return applied.get();
            }
            if (System.currentTimeMillis() > nextNotice) {
                log.info("waiting for a head to apply a conf.ini (it names the ingress port)");
                nextNotice = System.currentTimeMillis() + 10_000;
            }
            Thread.sleep(200);
        }
    }
}
