package io.modelserve.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: a head serving the no-op and MiniLM routes at about 70% of the throughput measured on it first,
 * for {@code --minutes N} (default 10), while a side loop applies config changes, scales the no-op
 * deployment up and down and replaces its jar. Reports requests, errors and p99 per minute, and the
 * head's heap after a full GC, threads and open file descriptors at start and end. Run with
 * {@code bench/soak [--minutes N]}. Not a test: it asserts nothing, it prints figures.
 *
 * <p>Load is paced (a fixed send schedule per connection), not closed-loop: a slow answer delays only
 * that connection's next request. Latency is measured from the actual send.
 */
public final class Soak {
    static final byte[] NOOP_BODY = "{\"text\":\"hello world\",\"n\":42}".getBytes(StandardCharsets.UTF_8);
    static final double LOAD_FRACTION = 0.7;
    static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private Soak() {}

    public static void main(String[] args) throws Exception {
        double minutes = Double.parseDouble(System.getProperty("minutes", "10")); // bench/soak --minutes N sets it
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--minutes") && i + 1 < args.length) {
                minutes = Double.parseDouble(args[++i]);
            } else {
                System.err.println("usage: bench/soak [--minutes N]   (default 10)");
                System.exit(2);
            }
        }
        System.out.printf("soak: %.1f min at %.0f%% of measured max throughput; %d cores%n", minutes, LOAD_FRACTION * 100,
                Runtime.getRuntime().availableProcessors());
        try (Servers.Running head = Servers.head("soak", List.of("Noop", "TextEmbedding", "AlgoExample"), conf(1, 256, "a", 0),
                // Its own cluster port: another benchmark's head may hold 5701 on the same address.
                List.of("--cluster-port", String.valueOf(Servers.freePort())))) {
            Path dir = head.dir();
            Files.copy(dir.resolve("algopkg/Noop.jar"), dir.resolve("Noop.original.jar"));
            LoadGenerator noopMax = new LoadGenerator(Servers.HOST, head.port(), "/noop", "application/json", NOOP_BODY);
            LoadGenerator embedMax = new LoadGenerator(Servers.HOST, head.port(), "/embed", "application/json", MinilmBatching.PAYLOAD);
            double noopRate = noopMax.run("noop max", 32, 5, 10).throughput();
            double embedRate = embedMax.run("embed max", 16, 5, 10).throughput();
            System.out.printf("measured max: /noop %.0f req/s (32 connections), /embed %.0f req/s (16 connections)%n", noopRate, embedRate);

            long pid = head.process().pid();
            Snapshot start = Snapshot.of(pid, head);
            long soakNanos = (long) (minutes * 60e9);
            Paced noop = new Paced(head.port(), "/noop", NOOP_BODY, noopRate * LOAD_FRACTION, 8, soakNanos);
            Paced embed = new Paced(head.port(), "/embed", MinilmBatching.PAYLOAD, embedRate * LOAD_FRACTION, 8, soakNanos);
            SideLoop side = new SideLoop(head);
            Thread sideThread = Thread.ofPlatform().name("soak-side").start(side::run);
            noop.start();
            embed.start();
            noop.join();
            embed.join();
            side.stop.set(true);
            sideThread.join();
            Snapshot end = Snapshot.of(pid, head);

            Table perMinute = new Table("minute", "/noop requests", "/noop errors", "/noop p99 ms", "/embed requests",
                    "/embed errors", "/embed p99 ms");
            for (int m = 0; m < noop.minutes(); m++) {
                perMinute.row(m + 1, noop.count(m), noop.errors(m), Table.f2(noop.p99(m)), embed.count(m), embed.errors(m),
                        Table.f2(embed.p99(m)));
            }
            System.out.println();
            System.out.println(perMinute);
            System.out.printf("total: /noop %d requests, %d errors (target %.0f req/s); /embed %d requests, %d errors (target %.1f req/s)%n",
                    noop.total(), noop.totalErrors(), noopRate * LOAD_FRACTION, embed.total(), embed.totalErrors(),
                    embedRate * LOAD_FRACTION);
            System.out.printf("side loop: %d applies ok, %d failed (%s)%n", side.ok.get(), side.failed.get(), side.lastFailure);
            System.out.println();
            System.out.println(new Table("head process", "start", "end")
                    .row("heap after full GC (MiB)", Table.f2(start.heapMib()), Table.f2(end.heapMib()))
                    .row("threads", start.threads(), end.threads())
                    .row("open file descriptors", start.fds(), end.fds()));
        }
    }

    /** The soak's deployments: no-op (scaled, its max_queued changed), MiniLM, and AlgoExample (config changes). */
    static String conf(int noopReplicas, int noopMaxQueued, String greeting, int jarVersion) {
        return """
                [algopkg.Noop]
                backend = io.modelserve.examples.noop.Noop
                cpu_cost = 0.1
                replicas = %d
                max_queued = %d
                route = noop
                method = POST

                [algopkg.TextEmbedding]
                backend = io.modelserve.examples.textembedding.TextEmbedding
                model = all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json
                cpu_cost = 0.5
                route = embed
                method = POST
                max_batch_size = 8
                batch_wait_ms = 2
                max_queued = 1000
                config.threads = 1

                [algopkg.AlgoExample]
                backend = io.modelserve.examples.algoexample.AlgoExample
                model = algoexample_lexicon_v1.txt
                cpu_cost = 0.1
                route = extract
                method = GET,POST
                config.greeting = %s
                ; jar version %d
                """.formatted(noopReplicas, noopMaxQueued, greeting, jarVersion);
    }

    /** Heap after a full GC (jcmd), threads and fds (/proc) of the head JVM. */
    record Snapshot(double heapMib, long threads, long fds) {
        static Snapshot of(long pid, Servers.Running head) throws Exception {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            run(jcmd.toString(), String.valueOf(pid), "GC.run");
            Matcher used = HEAP_USED.matcher(run(jcmd.toString(), String.valueOf(pid), "GC.heap_info"));
            double heap = used.find() ? Long.parseLong(used.group(1)) / 1024.0 : -1;
            long threads = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(line -> line.startsWith("Threads:")).mapToLong(line -> Long.parseLong(line.substring(8).trim()))
                    .findFirst().orElse(-1);
            long fds;
            try (var entries = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                fds = entries.count();
            }
            return new Snapshot(heap, threads, fds);
        }

        private static String run(String... command) throws Exception {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            process.waitFor(60, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    /** Every 15 s one change, in turn: scale up, config change, jar replaced, scale down. */
    static final class SideLoop {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String lastFailure = "none";
        private final Servers.Running head;

        SideLoop(Servers.Running head) {
            this.head = head;
        }

        void run() {
            int replicas = 1;
            int maxQueued = 256;
            String greeting = "a";
            int jarVersion = 0;
            for (int step = 0; !stop.get(); step++) {
                sleep(15_000);
                if (stop.get()) {
                    return;
                }
                switch (step % 4) {
                    case 0 -> replicas = 2;
                    case 1 -> {
                        greeting = greeting.equals("a") ? "b" : "a";
                        maxQueued = maxQueued == 256 ? 512 : 256;
                    }
                    case 2 -> jarVersion++;
                    default -> replicas = 1;
                }
                try {
                    if (step % 4 == 2) {
                        replaceJar(jarVersion);
                    }
                    apply(conf(replicas, maxQueued, greeting, jarVersion));
                    ok.incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                    lastFailure = e.getMessage();
                }
            }
        }

        /** The same classes with one extra entry: a new digest, so the controller rolls the replicas. */
        private void replaceJar(int version) throws IOException {
            Path jar = head.dir().resolve("algopkg/Noop.jar");
            Path next = head.dir().resolve("Noop.next.jar");
            try (InputStream in = Files.newInputStream(head.dir().resolve("Noop.original.jar"));
                    JarInputStream source = new JarInputStream(in);
                    OutputStream file = Files.newOutputStream(next);
                    JarOutputStream out = source.getManifest() == null ? new JarOutputStream(file)
                            : new JarOutputStream(file, source.getManifest())) {
                for (JarEntry entry = source.getNextJarEntry(); entry != null; entry = source.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    source.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new JarEntry("soak-version.txt"));
                out.write(String.valueOf(version).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        private void apply(String deployments) throws Exception {
            Path conf = head.dir().resolve("conf.ini");
            String text = Files.readString(conf);
            Files.writeString(conf, text.substring(0, text.indexOf("[algopkg.")) + deployments);
            Process apply = new ProcessBuilder(Servers.ROOT.resolve("bin/modelserve").toString(), "apply", "conf.ini",
                    "--head", Servers.HOST + ":" + head.dashboard()).directory(head.dir().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(head.dir().resolve("soak-apply.out").toFile())).start();
            if (!apply.waitFor(180, TimeUnit.SECONDS) || apply.exitValue() != 0) {
                apply.destroyForcibly();
                throw new IllegalStateException("apply failed; see " + head.dir().resolve("soak-apply.out"));
            }
        }

        private void sleep(long millis) {
            long until = System.currentTimeMillis() + millis;
            while (!stop.get() && System.currentTimeMillis() < until) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** {@code connections} keep-alive connections sending on a fixed schedule; latencies kept per minute. */
    static final class Paced {
        private final InetSocketAddress address;
        private final byte[] request;
        private final double ratePerSecond;
        private final int connections;
        private final long durationNanos;
        private final List<Thread> threads = new ArrayList<>();
        private final List<long[][]> latencies = new ArrayList<>(); // per connection: [minute][i]
        private final List<int[]> sizes = new ArrayList<>();
        private final List<long[]> errorCounts = new ArrayList<>();

        Paced(int port, String path, byte[] body, double ratePerSecond, int connections, long durationNanos) {
            this.address = new InetSocketAddress(Servers.HOST, port);
            this.request = HttpConnection.post(Servers.HOST + ":" + port, path, "application/json", body);
            this.ratePerSecond = ratePerSecond;
            this.connections = connections;
            this.durationNanos = durationNanos;
        }

        int minutes() {
            return (int) Math.ceil(durationNanos / 60e9);
        }

        void start() {
            long begin = System.nanoTime();
            long interval = (long) (connections * 1e9 / ratePerSecond);
            for (int c = 0; c < connections; c++) {
                long[][] mine = new long[minutes()][1 << 12];
                int[] size = new int[minutes()];
                long[] errors = new long[minutes()];
                latencies.add(mine);
                sizes.add(size);
                errorCounts.add(errors);
                long offset = interval * c / connections;
                threads.add(Thread.ofPlatform().name("soak-load-" + c).start(() -> {
                    HttpConnection connection = new HttpConnection(address, request);
                    try {
                        for (long k = 0; ; k++) {
                            long due = begin + offset + k * interval;
                            if (due - begin >= durationNanos) {
                                return;
                            }
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                TimeUnit.NANOSECONDS.sleep(wait);
                            }
                            long sent = System.nanoTime();
                            int status;
                            try {
                                status = connection.exchange();
                            } catch (IOException e) {
                                connection.close();
                                connection = new HttpConnection(address, request);
                                status = -1;
                            }
                            int minute = (int) Math.min(minutes() - 1, (sent - begin) / 60_000_000_000L);
                            if (status != 200) {
                                errors[minute]++;
                                continue;
                            }
                            if (size[minute] == mine[minute].length) {
                                mine[minute] = Arrays.copyOf(mine[minute], size[minute] * 2);
                            }
                            mine[minute][size[minute]++] = System.nanoTime() - sent;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        connection.close();
                    }
                }));
            }
        }

        void join() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join();
            }
        }

        long count(int minute) {
            long n = errors(minute);
            for (int[] size : sizes) {
                n += size[minute];
            }
            return n;
        }

        long errors(int minute) {
            return errorCounts.stream().mapToLong(e -> e[minute]).sum();
        }

        double p99(int minute) {
            List<long[]> parts = new ArrayList<>();
            for (int c = 0; c < latencies.size(); c++) {
                parts.add(Arrays.copyOf(latencies.get(c)[minute], sizes.get(c)[minute]));
            }
            long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(0.99 * all.length) - 1)] / 1e6;
        }

        long total() {
            long n = 0;
            for (int m = 0; m < minutes(); m++) {
                n += count(m);
            }
            return n;
        }

        long totalErrors() {
            long n = 0;
            for (int m = 0; m < minutes(); m++) {
                n += errors(m);
            }
            return n;
        }
    }
}
