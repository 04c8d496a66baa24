package io.modelserve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a frozen node costs: a head with no room for replicas (its ingress forwards every request)
 * and two agents, one no-op replica on each. Under closed-loop load one agent is frozen with
 * {@code kill -STOP} for {@code freeze} seconds (less than the cluster's failure timeout, so only
 * the transport's first-byte deadline and peer probe can notice), then thawed. Reports the request
 * latencies over the run (p50/p99/max, errors) and how long {@code /api/status} took meanwhile.
 * Run with {@code bench/frozen-node}.
 *
 * <p>Properties: {@code connections} (8), {@code seconds} (10, the measured run; the freeze starts 2 s in),
 * {@code freeze} (6), {@code warmup} (3).
 */
public final class FrozenNode {
    static final String DEPLOYMENT = """
            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.5
            replicas = 2
            route = echo
            method = POST
            max_queued = 1000
            """;
    static final String[] AGENT_HOSTS = {"127.0.0.92", "127.0.0.93"};

    private FrozenNode() {}

    public static void main(String[] args) throws Exception {
        int connections = Integer.getInteger("connections", 8);
        double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
        double freeze = Double.parseDouble(System.getProperty("freeze", "6"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "3"));
        System.out.printf("frozen node: POST /echo through a head that forwards, 2 agents, %d connections, %.0f s measured,"
                + " one agent frozen (kill -STOP) %.0f s from 2 s in; %d cores%n", connections, seconds, freeze,
                Runtime.getRuntime().availableProcessors());

        Servers.Running head = Servers.head("frozen", List.of("Noop"), "", List.of("--cpus", "0", "--failure-timeout", "30"));
        String cluster = Files.readString(head.dir().resolve("conf.ini")).lines().filter(l -> l.startsWith("cluster_name"))
                .findFirst().orElseThrow().split("=")[1].trim();
        List<Process> agents = new ArrayList<>();
        try {
            for (String host : AGENT_HOSTS) {
                Path dir = Files.createDirectories(head.dir().resolve("agent-" + host));
                agents.add(new ProcessBuilder(Servers.ROOT.resolve("bin/modelserve").toString(), "agent", "--join", Servers.HOST,
                        "--bind", host, "--cpus", "1", "--cluster-name", cluster, "--failure-timeout", "30")
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("agent.out").toFile()).start());
            }
            // Both agents in the cluster before the apply, so that placement spreads the replicas.
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (String host : AGENT_HOSTS) {
                while (true) {
                    try {
                        if (http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + head.port() + "/-/healthz")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                            break;
                        }
                    } catch (java.io.IOException notYet) {
                        // still starting
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("agent " + host + " did not start");
                    }
                    Thread.sleep(250);
                }
            }
            Path conf = head.dir().resolve("conf.ini");
            Files.writeString(conf, Files.readString(conf) + "\n" + DEPLOYMENT);
            Process apply = new ProcessBuilder(Servers.ROOT.resolve("bin/modelserve").toString(), "apply", "conf.ini", "--head",
                    Servers.HOST + ":" + head.dashboard()).directory(head.dir().toFile()).redirectErrorStream(true)
                    .redirectOutput(head.dir().resolve("apply.out").toFile()).start();
            if (!apply.waitFor(240, TimeUnit.SECONDS) || apply.exitValue() != 0) {
                throw new IllegalStateException("apply failed; see " + head.dir().resolve("apply.out"));
            }

            LoadGenerator load = new LoadGenerator(Servers.HOST, head.port(), "/echo", "application/json", NoopOverhead.PAYLOAD);
            List<Long> statusMillis = Collections.synchronizedList(new ArrayList<>());
            Thread freezer = Thread.ofPlatform().start(() -> freezeOne(agents.getFirst(), warmup + 2, freeze, head, statusMillis));
            LoadResult result = load.run("frozen agent", connections, warmup, seconds);
            freezer.join();

            Table table = new Table("run", "connections", "req/s", "p50 ms", "p99 ms", "max ms", "errors");
            table.row(result.name(), result.connections(), Table.f0(result.throughput()), Table.f2(result.p50()),
                    Table.f2(result.p99()), Table.f2(result.max()), result.errors());
            System.out.println();
            System.out.print(table);
            long statusMax = statusMillis.isEmpty() ? -1 : Collections.max(statusMillis);
            System.out.println();
            System.out.print(new Table("measure", "value", "target", "verdict")
                    .row("p99 while a node with a replica elsewhere is frozen", Table.f2(result.p99()) + " ms", "< 1500 ms",
                            Table.verdict(result.p99() < 1500 && result.errors() == 0))
                    .row("slowest /api/status during the freeze (" + statusMillis.size() + " calls)", statusMax + " ms", "-", "-"));
            System.out.printf("%nload average while measuring: %s%n", NoopOverhead.loadAverage());
        } finally {
            for (Process agent : agents) {
                signal(agent, "CONT");
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
            head.close();
        }
    }

    private static void freezeOne(Process agent, double afterSeconds, double seconds, Servers.Running head, List<Long> statusMillis) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        try {
            Thread.sleep((long) (afterSeconds * 1000));
            signal(agent, "STOP");
            long until = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < until) {
                long started = System.nanoTime();
                http.send(HttpRequest.newBuilder(URI.create("http://" + Servers.HOST + ":" + head.dashboard() + "/api/status"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
                statusMillis.add((System.nanoTime() - started) / 1_000_000);
                Thread.sleep(250);
            }
        } catch (Exception e) {
            System.err.println("freezer: " + e);
        } finally {
            signal(agent, "CONT");
        }
    }

    private static void signal(Process process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("kill -" + signal + ": " + e);
        }
    }
}
