package io.modelserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many deployments on one head: N sections of the Noop plugin ({@code plugin = Noop}, one replica each)
 * applied to a head started with room for them. Prints how long {@code modelserve apply} took to
 * converge for the first apply, an unchanged re-apply and a change of every section's {@code config.*},
 * and the head's RSS, platform threads and used heap before and after, per idle replica.
 * Options as -Dkey=value: deployments (1000).
 */
public final class ManyDeployments {
    private ManyDeployments() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.getInteger("deployments", 1000);
        try (Servers.Running head = Servers.head("many-deployments", List.of("Noop"), "",
                List.of("--cpus", String.valueOf(count)))) {
            long pid = head.process().pid();
            Path dir = head.dir();
            String header = Files.readString(dir.resolve("conf.ini"));
            Thread.sleep(2_000); // let start-up settle before the baseline
            Sample before = Sample.of(pid);
            Files.writeString(dir.resolve("conf.ini"), header + sections(count, "1"));
            double first = apply(dir, head.dashboard());
            double unchanged = apply(dir, head.dashboard());
            double unchangedPost = post(dir, head.dashboard());
            Files.writeString(dir.resolve("conf.ini"), header + sections(count, "2"));
            double changed = apply(dir, head.dashboard());
            Thread.sleep(2_000);
            // What the idle head burns with every replica waiting for work (health probes included).
            long cpuBefore = cpuTicks(pid);
            long idleBegan = System.nanoTime();
            Thread.sleep(10_000);
            double idleCores = (cpuTicks(pid) - cpuBefore) / 100.0 / ((System.nanoTime() - idleBegan) / 1e9);
            Sample after = Sample.of(pid);
            System.out.printf("%d deployments of Noop, one replica each, on one head (%d CPUs here)%n", count,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("apply, %d new sections:           %8.1f s%n", count, first);
            System.out.printf("apply, unchanged:                  %8.1f s%n", unchanged);
            System.out.printf("  of which the head's POST /api/apply: %8.2f s (the rest: the CLI's JVM start and its wait)%n",
                    unchangedPost);
            System.out.printf("apply, config.* of all %d changed: %8.1f s%n", count, changed);
            System.out.printf("head before: RSS %6d MiB, %4d threads, heap used %5d MiB%n", before.rssKib() / 1024,
                    before.threads(), before.heapKib() / 1024);
            System.out.printf("head after:  RSS %6d MiB, %4d threads, heap used %5d MiB%n", after.rssKib() / 1024,
                    after.threads(), after.heapKib() / 1024);
            System.out.printf("idle head, %d replicas waiting: %.3f cores of CPU (%.1f µs per second per replica)%n", count,
                    idleCores, idleCores * 1e6 / count);
            System.out.printf("per idle replica: RSS %.1f KiB, %.3f platform threads, heap %.1f KiB%n",
                    (after.rssKib() - before.rssKib()) / (double) count, (after.threads() - before.threads()) / (double) count,
                    (after.heapKib() - before.heapKib()) / (double) count);
        }
    }

    private static String sections(int count, String configValue) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("""
                    [algopkg.Noop%04d]
                    plugin = Noop
                    backend = io.modelserve.examples.noop.Noop
                    cpu_cost = 0.1
                    route = noop/%04d
                    config.value = %s
                    """.formatted(i, i, configValue));
        }
        return text.toString();
    }

    /** User + system CPU of a process so far, in clock ticks (100 a second on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }

    /** Seconds {@code modelserve apply} took to exit 0 (it waits for convergence). */
    private static double apply(Path dir, int dashboard) throws Exception {
        long began = System.nanoTime();
        Process apply = new ProcessBuilder(Servers.ROOT.resolve("bin/modelserve").toString(), "apply", "conf.ini", "--head",
                Servers.HOST + ":" + dashboard).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("apply.out").toFile())).start();
        if (!apply.waitFor(600, TimeUnit.SECONDS) || apply.exitValue() != 0) {
            apply.destroyForcibly();
            throw new IllegalStateException("apply failed; see " + dir.resolve("apply.out"));
        }
        return (System.nanoTime() - began) / 1e9;
    }

    /** Seconds the head took to answer an apply of conf.ini as it is (parse, plan, compare; no CLI). */
    private static double post(Path dir, int dashboard) throws Exception {
        java.util.Map<String, Object> body = java.util.Map.of("path", dir.resolve("conf.ini").toAbsolutePath().toString(),
                "text", Files.readString(dir.resolve("conf.ini")), "dryRun", false);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + Servers.HOST
                        + ":" + dashboard + "/api/apply")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(body))).build();
        http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()); // warm
        long began = System.nanoTime();
        java.net.http.HttpResponse<String> answer = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("apply answered " + answer.statusCode() + ": " + answer.body());
        }
        return (System.nanoTime() - began) / 1e9;
    }

    /** The head process as the OS and its own heap see it (after a full GC, so heap is live data). */
    private record Sample(long rssKib, int threads, long heapKib) {
        static Sample of(long pid) throws IOException, InterruptedException {
            run("jcmd", String.valueOf(pid), "GC.run");
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            return new Sample(rss, threads, heapUsedKib(run("jcmd", String.valueOf(pid), "GC.heap_info")));
        }

        /** From "garbage-first heap   total 262144K, used 81234K". */
        private static long heapUsedKib(String heapInfo) {
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(heapInfo);
            return used.find() ? Long.parseLong(used.group(1)) : -1;
        }

        private static String run(String tool, String... args) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", tool);
            List<String> command = new java.util.ArrayList<>(List.of(jcmd.toString()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor(60, TimeUnit.SECONDS);
            return out;
        }
    }
}
