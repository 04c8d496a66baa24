package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A head started through {@code bin/modelserve start} as its own JVM, in a scratch directory with
 * its own conf.ini and a copy of the built plugins, on its own loopback address (so it never meets
 * a developer's head on 127.0.0.1) and free ports.
 */
final class RunningHead implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final String bind;
    final int port;
    final int dashboardPort;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The loopback address after this head's, for an agent beside it: the head's address ends in
     * 20..249 ({@link #workspace}), so the next one is free loopback too.
     */
    String nextAddress() {
        int last = bind.lastIndexOf('.');
        return bind.substring(0, last + 1) + (Integer.parseInt(bind.substring(last + 1)) + 1);
    }

    private RunningHead(Path dir, String bind, int port, int dashboardPort, Process process) {
        this.dir = dir;
        this.bind = bind;
        this.port = port;
        this.dashboardPort = dashboardPort;
        this.process = process;
    }

    /** A fresh directory under test/target/e2e, kept after the run so its logs can be read. */
    static Path scratchDir(Class<?> test) throws IOException {
        Path base = Cli.ROOT.resolve("test/target/e2e");
        Files.createDirectories(base);
        return Files.createTempDirectory(base, test.getSimpleName() + "-");
    }

    /** A scratch directory with algopkg/ copied from the build and the [MODEL SERVE] header for {@code bind}. */
    static Workspace workspace(Path dir) throws IOException {
        String bind = "127.0.0." + ThreadLocalRandom.current().nextInt(20, 250);
        Path algopkg = dir.resolve("algopkg");
        copyTree(Cli.ROOT.resolve("algopkg"), algopkg);
        int port = freePort(bind);
        int dashboard = freePort(bind);
        String clusterName = "e2e-" + ThreadLocalRandom.current().nextInt(1_000_000);
        String header = """
                [MODEL SERVE]
                port = %d
                dashboard_port = %d
                cluster_name = %s
                algopkg_dir = algopkg
                model_zoo = %s
                log_dir = logs
                max_body_bytes = 65536
                """.formatted(port, dashboard, clusterName, Cli.ROOT.resolve("Model_ZOO"));
        return new Workspace(dir, bind, port, dashboard, header, clusterName);
    }

    /** Where a head will run, before it starts. */
    record Workspace(Path dir, String bind, int port, int dashboardPort, String header, String clusterName) {
        /** Another algopkg built from an existing plugin jar, e.g. AlgoExample.jar as Slow.jar. */
        void copyPlugin(String from, String to) throws IOException {
            Files.copy(dir.resolve("algopkg").resolve(from + ".jar"), dir.resolve("algopkg").resolve(to + ".jar"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        Path writeConf(String name, String deployments) throws IOException {
            Path conf = dir.resolve(name);
            Files.writeString(conf, header + "\n" + deployments);
            return conf;
        }

        RunningHead start(String confName) throws Exception {
            return start(confName, "--cpus", "8");
        }

        /** Starts the head with extra {@code start} options, e.g. its CPUs and GPUs. */
        RunningHead start(String confName, String... options) throws Exception {
            List<String> args = new java.util.ArrayList<>(List.of("start", confName, "--bind", bind));
            args.addAll(List.of(options));
            Process process = Cli.command(dir, args.toArray(String[]::new))
                    .redirectOutput(dir.resolve("head-" + bind + ".out").toFile()).start();
            RunningHead head = new RunningHead(dir, bind, port, dashboardPort, process);
            try {
                head.awaitHealthy();
            } catch (Exception | AssertionError e) {
                process.destroyForcibly(); // never leave a head behind a failed start
                throw e;
            }
            return head;
        }
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("head exited during start:\n" + log());
            }
            try {
                if (get("/-/healthz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new AssertionError("head not healthy and converged within 120 s:\n" + log());
    }

    String log() throws IOException {
        Path out = dir.resolve("head-" + bind + ".out");
        return Files.exists(out) ? Files.readString(out) : "(no output)";
    }

    Cli.Result cli(String... args) throws Exception {
        String[] withHead = new String[args.length + 2];
        System.arraycopy(args, 0, withHead, 0, args.length);
        withHead[args.length] = "--head";
        withHead[args.length + 1] = bind + ":" + dashboardPort;
        return Cli.run(dir, 180, withHead);
    }

    JsonNode adminStatus() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://" + bind + ":" + dashboardPort + "/api/status")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /**
     * Waits (bounded polling, 120 s) until the cluster has converged on {@code deployments} deployments
     * with at least one replica ready each.
     */
    void awaitDeploymentsReady(int deployments) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!deploymentsReady(deployments)) {
            assertThat(System.nanoTime()).as("%d deployments ready within 120 s", deployments).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private boolean deploymentsReady(int deployments) throws Exception {
        JsonNode status = adminStatus();
        if (!status.path("converged").asBoolean() || status.path("deployments").size() != deployments) {
            return false;
        }
        for (JsonNode deployment : status.path("deployments")) {
            if (deployment.path("ready").asInt() < 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits (bounded polling, 120 s) until the cluster has converged with each of {@code deployments}
     * having a ready replica; with {@code onlyThese}, also with no other deployment.
     */
    void awaitReady(List<String> deployments, boolean onlyThese) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = adminStatus();
            List<String> ready = new java.util.ArrayList<>();
            status.path("deployments").forEach(d -> {
                if (d.path("ready").asInt() >= 1) {
                    ready.add(d.path("name").asText());
                }
            });
            boolean others = ready.size() != status.path("deployments").size() || ready.size() != deployments.size();
            if (status.path("converged").asBoolean() && ready.containsAll(deployments) && !(onlyThese && others)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not converged with " + deployments + " ready within 120 s: " + status);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return post(path, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** POST to the ingress of another node of this cluster (same port, its own address). */
    HttpResponse<String> postAt(String nodeBind, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + nodeBind + ":" + port + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET from the ingress of another node of this cluster. */
    HttpResponse<String> getAt(String nodeBind, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + nodeBind + ":" + port + path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The admin API of another head of this cluster (a standby). */
    JsonNode adminStatusAt(String headBind) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://" + headBind + ":" + dashboardPort + "/api/status")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** POST naming a multiplexed section's model in the X-Modelserve-Model header. */
    HttpResponse<String> post(String path, String body, String model) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-Modelserve-Model", model).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, byte[] body, String contentType) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An answer read off a raw socket: its status and its body. */
    record RawAnswer(int status, String body) {}

    /**
     * POSTs a JSON body over a raw HTTP/1.1 socket with exactly these header lines ({@code "Name: value"})
     * besides Host, Content-Type and Content-Length, and {@code Connection: close} unless one is given:
     * java.net.http refuses to send Connection itself, and a test of which headers a plugin sees must.
     */
    RawAnswer postRaw(String path, String body, String... headerLines) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + bind + ":" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n");
        boolean connection = false;
        for (String line : headerLines) {
            request.append(line).append("\r\n");
            connection |= line.regionMatches(true, 0, "Connection:", 0, 11);
        }
        request.append(connection ? "" : "Connection: close\r\n").append("\r\n");
        try (java.net.Socket socket = new java.net.Socket(bind, port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            // Connection: close, so the answer ends where the stream does.
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            String head = answer.substring(0, end).toLowerCase();
            String content = answer.substring(end + 4);
            return new RawAnswer(Integer.parseInt(answer.substring(9, 12)),
                    head.contains("transfer-encoding: chunked") ? unchunked(content) : content);
        }
    }

    private static String unchunked(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://" + bind + ":" + port + path);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Process process() {
        return process;
    }

    int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                cli("stop");
            } catch (Exception | AssertionError ignored) {
                // Fall through to killing it.
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file)));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
