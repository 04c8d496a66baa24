package io.modelserve.cli;

import io.modelserve.agent.gpu.GpuOffer;
import io.modelserve.cluster.MemberOptions;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.config.ConfigResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Start a head (cluster member, controller, admin API, local agent) and apply conf.ini.")
final class StartCommand implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "conf.ini", description = "the conf.ini to apply (default: ${DEFAULT-VALUE})")
    Path conf;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address every listener of this node binds (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--cluster-port", defaultValue = "5701", description = "Hazelcast port (default: ${DEFAULT-VALUE})")
    int clusterPort;

    @Option(names = "--join", description = "HOST[:PORT] of a cluster member to join (repeatable)")
    List<String> join = new ArrayList<>();

    @Option(names = "--cpus", description = "CPU cores this node offers to replicas (default: its cores)")
    Double cpus;

    @picocli.CommandLine.Mixin
    GpuOptions gpus;

    @Option(names = "--standby", description = "join as a standby head: runs the controller only when the leader is gone; needs --join")
    boolean standby;

    @Option(names = "--failure-timeout", defaultValue = "8", description = "seconds of silence before a node is declared dead (default: ${DEFAULT-VALUE})")
    int failureTimeoutSeconds;

    @Option(names = "--insecure", description = "allow a non-loopback --bind without cluster_secret: anyone who"
            + " reaches the cluster port can then join and control the cluster")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        Logging.configure(conf, "head-" + bind);
        if (standby && join.isEmpty()) {
            System.err.println("--standby needs --join HOST[:PORT] of a member of the cluster to stand by for");
            return 2;
        }
        if (!Files.isRegularFile(conf)) {
            System.err.println(conf + ": no such file; write a conf.ini (see README) or name one: modelserve start path/to/conf.ini");
            return 2;
        }
        String text = Files.readString(conf);
        ConfigResult parsed = new ConfigParser(BuiltinSchemas.standard(), System::getenv).parse(conf, text);
        if (parsed instanceof ConfigResult.Invalid invalid) {
            invalid.errors().forEach(System.err::println);
            System.err.println(conf + " rejected: " + invalid.errors().size() + " error(s); nothing started");
            return 1;
        }
        ConfigResult.Valid valid = (ConfigResult.Valid) parsed;
        java.util.Optional<String> refusal = InsecureBind.refusal(bind, !valid.settings().clusterSecret().isEmpty(),
                insecure, "cluster_secret = ${MODELSERVE_CLUSTER_SECRET} in " + conf);
        if (refusal.isPresent()) {
            System.err.println(refusal.get());
            return 2;
        }
        for (var port : java.util.Map.of("port", valid.settings().port(), "dashboard_port", valid.settings().dashboardPort(),
                "grpc_port", valid.settings().grpcPort()).entrySet()) {
            java.util.Optional<String> problem = PortProbe.problem(bind, port.getValue(), port.getKey());
            if (problem.isPresent()) {
                System.err.println(conf + ": " + problem.get() + "; nothing started");
                return 2;
            }
        }
        GpuOffer.Offered offer;
        switch (gpus.decide()) {
            case GpuOffer.Refused refused -> {
                System.err.println("error: " + refused.message());
                return 2;
            }
            case GpuOffer.Offered offered -> offer = offered;
        }
        org.slf4j.LoggerFactory.getLogger(StartCommand.class).info("GPUs: {}", offer.note());
        long cpuMilli = Math.round((cpus != null ? cpus : Runtime.getRuntime().availableProcessors()) * 1000);
        HeadProcess head = HeadProcess.start(new HeadProcess.Options(conf, bind, clusterPort == 0 ? MemberOptions.DEFAULT_PORT : clusterPort,
                join, cpuMilli, offer.devices(), standby, failureTimeoutSeconds), valid.settings(), text);
        Runtime.getRuntime().addShutdownHook(new Thread(head::close, "shutdown"));
        head.awaitStop();
        return 0;
    }
}
