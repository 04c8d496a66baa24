package io.modelserve.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What modelserve adds to a request: the no-op deployment ({@code examples/noop}) behind the ingress vs.
 * a bare Javalin route doing the same JSON echo, both their own JVMs on loopback, driven by the same
 * load generator with the same payload, one after the other. Run with {@code bench/noop-overhead}.
 *
 * <p>Properties: {@code connections} (32), {@code seconds} (10), {@code warmup} (5).
 */
public final class NoopOverhead {
    static final byte[] PAYLOAD = "{\"text\":\"hello world\",\"n\":42}".getBytes(StandardCharsets.UTF_8);
    static final String DEPLOYMENT = """
            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.1
            route = echo
            method = POST
            max_queued = 1000
            """;

    /**
     * With {@code -Daccess_log=true}, {@code access_log = true} in {@code [MODEL SERVE]} (the line lands
     * there: the deployment sections follow the header) to measure what the access log costs.
     */
    private static String deployment() {
        return (Boolean.getBoolean("access_log") ? "access_log = true\n" : "") + DEPLOYMENT;
    }

    private NoopOverhead() {}

    /** The machine's load average (Linux), so that a figure taken on a busy machine says so. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.getInteger("connections", 32);
        double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "5"));
        System.out.printf("no-op overhead: POST %s, closed loop, 1 and %d keep-alive connections, %.0f s each after %.0f s warm-up; %d cores;"
                + " access_log %s%n", new String(PAYLOAD, StandardCharsets.UTF_8), connections, seconds, warmup,
                Runtime.getRuntime().availableProcessors(), Boolean.getBoolean("access_log") ? "on" : "off");

        boolean withWrk = Wrk.available();
        Wrk.Result[] wrk = new Wrk.Result[6]; // bare, served, hop; at 1 and at `connections`
        LoadResult bareOne;
        LoadResult bareMany;
        try (Servers.Running bare = Servers.bareEcho(Servers.ROOT.resolve("bench/target/runs"))) {
            LoadGenerator load = new LoadGenerator(Servers.HOST, bare.port(), "/echo", "application/json", PAYLOAD);
            bareOne = load.run("bare Javalin", 1, warmup, seconds);
            bareMany = load.run("bare Javalin", connections, warmup, seconds);
            if (withWrk) {
                wrk[0] = Wrk.post(Servers.HOST, bare.port(), "/echo", "application/json", PAYLOAD, 1, seconds);
                wrk[1] = Wrk.post(Servers.HOST, bare.port(), "/echo", "application/json", PAYLOAD, connections, seconds);
            }
        }
        LoadResult serveOne;
        LoadResult serveMany;
        try (Servers.Running head = Servers.head("noop", List.of("Noop"), deployment())) {
            LoadGenerator load = new LoadGenerator(Servers.HOST, head.port(), "/echo", "application/json", PAYLOAD);
            serveOne = load.run("modelserve no-op", 1, warmup, seconds);
            serveMany = load.run("modelserve no-op", connections, warmup, seconds);
            if (withWrk) {
                wrk[2] = Wrk.post(Servers.HOST, head.port(), "/echo", "application/json", PAYLOAD, 1, seconds);
                wrk[3] = Wrk.post(Servers.HOST, head.port(), "/echo", "application/json", PAYLOAD, connections, seconds);
            }
        }

        LoadResult hopOne;
        LoadResult hopMany;
        try (Servers.Running hop = Servers.hop("noop-hop", List.of("Noop"), deployment())) {
            LoadGenerator load = new LoadGenerator(Servers.HOST, hop.port(), "/echo", "application/json", PAYLOAD);
            hopOne = load.run("modelserve no-op, node hop", 1, warmup, seconds);
            hopMany = load.run("modelserve no-op, node hop", connections, warmup, seconds);
            if (withWrk) {
                wrk[4] = Wrk.post(Servers.HOST, hop.port(), "/echo", "application/json", PAYLOAD, 1, seconds);
                wrk[5] = Wrk.post(Servers.HOST, hop.port(), "/echo", "application/json", PAYLOAD, connections, seconds);
            }
        }

        Table table = new Table("server", "connections", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors");
        for (LoadResult r : List.of(bareOne, serveOne, hopOne, bareMany, serveMany, hopMany)) {
            table.row(r.name(), r.connections(), Table.f0(r.throughput()), Table.f2(r.p50()), Table.f2(r.p90()), Table.f2(r.p99()), r.errors());
        }
        System.out.println();
        System.out.print(table);

        double ratio = serveMany.throughput() / bareMany.throughput();
        double addedP50 = serveOne.p50() - bareOne.p50();
        double hopRatio = hopMany.throughput() / bareMany.throughput();
        System.out.println();
        System.out.print(new Table("measure", "value", "target", "verdict")
                .row("throughput, " + connections + " connections: modelserve / bare", Table.ratio(ratio), ">= 0.85x", Table.verdict(ratio >= 0.85))
                .row("added p50, 1 connection (in-node)", Table.f2(addedP50) + " ms", "< 0.10 ms", Table.verdict(addedP50 < 0.1))
                .row("added p50, " + connections + " connections", Table.f2(serveMany.p50() - bareMany.p50()) + " ms", "-", "-")
                .row("p99 ratio, " + connections + " connections", Table.ratio(serveMany.p99() / bareMany.p99()), "-", "-")
                .row("node hop: throughput, " + connections + " connections / bare", Table.ratio(hopRatio), ">= 0.50x",
                        Table.verdict(hopRatio >= 0.5))
                .row("node hop: added p50, 1 connection", Table.f2(hopOne.p50() - bareOne.p50()) + " ms", "-", "-"));
        if (withWrk) {
            // The same servers measured by an outside load generator (wrk), right after this JVM's own.
            Table outside = new Table("wrk: server", "connections", "req/s", "p50 ms", "p99 ms", "non-2xx");
            String[] names = {"bare Javalin", "modelserve no-op", "modelserve no-op, node hop"};
            for (int i = 0; i < 6; i++) {
                outside.row(names[i / 2], i % 2 == 0 ? 1 : connections, Table.f0(wrk[i].throughput()), Table.f2(wrk[i].p50()),
                        Table.f2(wrk[i].p99()), wrk[i].errors());
            }
            double wrkRatio = wrk[3].throughput() / wrk[1].throughput();
            double wrkHop = wrk[5].throughput() / wrk[1].throughput();
            double wrkAdded = wrk[2].p50() - wrk[0].p50();
            System.out.println();
            System.out.print(outside);
            System.out.println();
            System.out.print(new Table("measure (wrk)", "value", "target", "verdict")
                    .row("throughput, " + connections + " connections: modelserve / bare", Table.ratio(wrkRatio), ">= 0.85x",
                            Table.verdict(wrkRatio >= 0.85))
                    .row("added p50, 1 connection (in-node)", Table.f2(wrkAdded) + " ms", "< 0.10 ms", Table.verdict(wrkAdded < 0.1))
                    .row("node hop: throughput, " + connections + " connections / bare", Table.ratio(wrkHop), ">= 0.50x",
                            Table.verdict(wrkHop >= 0.5)));
        }
        System.out.printf("%nload average while measuring: %s%n", loadAverage());
    }
}
