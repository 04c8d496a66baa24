package io.modelserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The GPU device check (run with {@code bench/gpu-check}, on a machine with an NVIDIA GPU and a build
 * with {@code -Pgpu}): a head that finds its GPUs itself, the MiniLM built-in deployed twice at
 * {@code gpu_cost = 0.5} (both replicas share one device) beside the same built-in on the CPU; checks
 * that both GPU replicas run on the device (each logged its session on a CUDA device, the head's JVM
 * holds device memory, the device's memory rose), then GPU vs. CPU throughput and latency for batches of
 * 1 and 32 texts (one Open Inference Protocol call each), side by side. Exits 1 with one line saying
 * why when a check fails.
 *
 * <p>Properties: {@code connections} (2, one per GPU replica), {@code seconds} (10), {@code warmup} (3).
 */
public final class GpuCheck {
    static final String MINILM = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";
    static final String TEXT = "The quick brown fox jumps over the lazy dog near the river bank.";
    static final String DEPLOYMENTS = """
            [algopkg.MiniLmGpu]
            backend = builtin:text-embedding
            model = %1$s, %2$s
            replicas = 2
            gpu_cost = 0.5
            cpu_cost = 0
            route = embed/gpu

            [algopkg.MiniLmCpu]
            backend = builtin:text-embedding
            model = %1$s, %2$s
            replicas = 2
            cpu_cost = 0
            route = embed/cpu
            """.formatted(MINILM, TOKENIZER);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private GpuCheck() {}

    /** A check that failed: its one line is what the script prints. */
    static final class Failed extends Exception {
        Failed(String why) {
            super(why);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Failed failed) {
            System.out.println("gpu-check: FAILED: " + failed.getMessage());
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        int connections = Integer.getInteger("connections", 2);
        double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "3"));
        if (!Files.isRegularFile(Servers.ROOT.resolve("Model_ZOO").resolve(MINILM))) {
            throw new Failed("Model_ZOO/" + MINILM + " is missing: build examples/text-embedding first");
        }
        long memoryBefore = deviceMemoryUsedMib();
        long started = System.nanoTime();
        try (Servers.Running head = Servers.launch("gpu-check", List.of(), DEPLOYMENTS, List.of())) {
            JsonNode status = awaitReplicas(head);
            System.out.printf("head up, 4 replicas running in %.1f s%n", (System.nanoTime() - started) / 1e9);
            List<String> gpuDevices = devicesOf(status, "MiniLmGpu");
            for (JsonNode node : status.path("nodes")) {
                for (JsonNode g : node.path("devices")) {
                    System.out.printf("discovered gpu:%d %s, %s%s%n", g.path("index").asInt(), g.path("name").asText(),
                            mib(g.path("memoryTotalBytes").asLong()), g.path("simulated").asBoolean() ? " (SIMULATED)" : "");
                    if (g.path("simulated").asBoolean()) {
                        throw new Failed("the head's GPUs are simulated, not discovered");
                    }
                }
            }
            System.out.println("MiniLmGpu replicas on " + gpuDevices + ", MiniLmCpu on " + devicesOf(status, "MiniLmCpu"));
            if (gpuDevices.size() != 2 || !gpuDevices.stream().allMatch(d -> d.matches("gpu:\\d+@0\\.5"))
                    || !gpuDevices.get(0).equals(gpuDevices.get(1))) {
                throw new Failed("expected both MiniLmGpu replicas on one device at 0.5, got " + gpuDevices);
            }
            long sessions = cudaSessionLines(head.dir());
            System.out.println("replica logs: " + sessions + " built-in session(s) opened on a CUDA device");
            if (sessions < 2) {
                throw new Failed("the replicas did not log their sessions on a CUDA device (CUDA provider not active); see "
                        + head.dir().resolve("logs"));
            }
            long memoryLoaded = deviceMemoryUsedMib();
            long held = memoryHeldBy(head.process().pid());
            System.out.printf("device memory used: %d MiB before the head, %d MiB with the models loaded; the head's JVM holds %s%n",
                    memoryBefore, memoryLoaded, held < 0 ? "none (not listed by nvidia-smi --query-compute-apps)" : held + " MiB");
            if (memoryLoaded <= memoryBefore && held <= 0) {
                throw new Failed("device memory did not rise and the head's JVM holds none: the models are not on the GPU");
            }
            Table table = new Table("device", "texts per call", "calls/s", "texts/s", "p50 ms", "p99 ms", "errors");
            List<LoadResult> results = new ArrayList<>();
            for (int batch : new int[] {1, 32}) {
                for (String deployment : List.of("MiniLmGpu", "MiniLmCpu")) {
                    LoadGenerator load = new LoadGenerator(Servers.HOST, head.port(), "/v2/models/" + deployment + "/infer",
                            "application/json", v2Body(batch));
                    LoadResult result = load.run(deployment, connections, warmup, seconds);
                    results.add(result);
                    table.row(deployment.endsWith("Gpu") ? "GPU" : "CPU", batch, Table.f0(result.throughput()),
                            Table.f0(result.throughput() * batch), Table.f2(result.p50()), Table.f2(result.p99()), result.errors());
                    if (result.ok() == 0) {
                        throw new Failed(deployment + " answered no call of " + batch + " text(s)");
                    }
                }
            }
            System.out.println();
            System.out.println("MiniLM (" + MINILM + "), " + connections + " connections, " + seconds + " s per row after "
                    + warmup + " s warm-up; GPU: 2 replicas at gpu_cost 0.5 on one device, CPU: 2 replicas on "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            System.out.print(table);
            System.out.printf("GPU / CPU texts per second: batch 1 %sx, batch 32 %sx%n",
                    Table.f2(results.get(0).throughput() / Math.max(1e-9, results.get(1).throughput())),
                    Table.f2(results.get(2).throughput() / Math.max(1e-9, results.get(3).throughput())));
            JsonNode after = status(head);
            for (JsonNode node : after.path("nodes")) {
                for (JsonNode g : node.path("devices")) {
                    System.out.printf("status --json after the load: gpu:%d utilisation %s, memory %s / %s%n", g.path("index").asInt(),
                            g.path("utilization").asDouble() < 0 ? "unknown" : Math.round(g.path("utilization").asDouble() * 100) + "%",
                            mib(g.path("memoryUsedBytes").asLong()), mib(g.path("memoryTotalBytes").asLong()));
                }
            }
            System.out.printf("gpu-check: OK in %.0f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    /** Until all four replicas run; a GPU replica that FAILED ends the check with its reason. */
    private static JsonNode awaitReplicas(Servers.Running head) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!head.process().isAlive()) {
                throw new Failed("the head exited during start: " + firstError(head.dir().resolve("head.out")));
            }
            try {
                JsonNode status = status(head);
                int running = 0;
                for (JsonNode r : status.path("replicas")) {
                    if (r.path("state").asText().equals("FAILED")) {
                        throw new Failed(r.path("deployment").asText() + " replica FAILED: " + r.path("reason").asText());
                    }
                    running += r.path("state").asText().equals("RUNNING") ? 1 : 0;
                }
                if (running == 4) {
                    return status;
                }
            } catch (IOException notYet) {
                // The admin API is not listening yet.
            }
            Thread.sleep(250);
        }
        throw new Failed("the replicas did not all run within 180 s; see " + head.dir());
    }

    private static JsonNode status(Servers.Running head) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://" + Servers.HOST + ":" + head.dashboard()
                + "/api/status")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static List<String> devicesOf(JsonNode status, String deployment) {
        List<String> devices = new ArrayList<>();
        for (JsonNode r : status.path("replicas")) {
            if (r.path("deployment").asText().equals(deployment)) {
                devices.add(r.path("device").asText());
            }
        }
        return devices;
    }

    /** One v2 infer call with {@code texts} rows: the built-in embeds them in one model call. */
    static byte[] v2Body(int texts) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < texts; i++) {
            data.append(i == 0 ? "" : ",").append('"').append(TEXT).append(' ').append(i).append('"');
        }
        return ("{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[" + texts + "],\"data\":[" + data + "]}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Lines the built-ins log when their session opened on a CUDA device (TensorBackend, TextEmbeddingBackend). */
    private static long cudaSessionLines(Path dir) throws IOException {
        long count = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".log")
                    || f.toString().endsWith(".out")).toList()) {
                try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    count += lines.filter(l -> l.contains("MiniLmGpu: builtin:text-embedding session on CUDA device")).count();
                } catch (java.io.UncheckedIOException notText) {
                    // A binary or rotated file: not a log line of ours.
                }
            }
        }
        return count;
    }

    /** memory.used of GPU 0, MiB. */
    private static long deviceMemoryUsedMib() throws Exception {
        String out = nvidiaSmi("--query-gpu=memory.used", "--format=csv,noheader,nounits");
        return Long.parseLong(out.lines().findFirst().orElse("0").strip());
    }

    /** Device memory the process {@code pid} holds, MiB, or -1 when nvidia-smi does not list it. */
    private static long memoryHeldBy(long pid) throws Exception {
        String out = nvidiaSmi("--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits");
        long held = -1;
        for (String line : out.split("\\R")) {
            String[] fields = line.split(",");
            if (fields.length == 2 && fields[0].strip().equals(String.valueOf(pid))) {
                held = Math.max(0, held) + Long.parseLong(fields[1].strip());
            }
        }
        return held;
    }

    private static String nvidiaSmi(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("nvidia-smi"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new Failed("nvidia-smi " + String.join(" ", args) + " failed: " + out.lines().findFirst().orElse(""));
        }
        return out;
    }

    private static String firstError(Path out) throws IOException {
        if (!Files.exists(out)) {
            return "(no output)";
        }
        return Files.readAllLines(out).stream().filter(l -> l.contains("error") || l.contains("ERROR")).findFirst()
                .orElse("see " + out);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : (bytes >> 20) + " MiB";
    }
}
