package io.modelserve.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node started by {@code bin/modelserve agent} (or {@code start --standby}) as its own JVM, in its
 * own empty directory: it has no algopkg/ and no Model_ZOO/, so everything it runs was shipped.
 */
final class RunningNode implements AutoCloseable {
    final String bind;
    final Path dir;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private RunningNode(String bind, Path dir, int port, Process process) {
        this.bind = bind;
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static RunningNode agent(Path base, RunningHead.Workspace cluster, String bind, String... options) throws Exception {
        Path dir = base.resolve("agent-" + bind);
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(List.of("agent", "--join", cluster.bind(), "--bind", bind,
                "--cluster-name", cluster.clusterName()));
        args.addAll(List.of(options));
        Process process = Cli.command(dir, args.toArray(String[]::new)).redirectOutput(dir.resolve("agent.out").toFile()).start();
        RunningNode node = new RunningNode(bind, dir, cluster.port(), process);
        try {
            node.awaitHealthy();
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return node;
    }

    void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("node " + bind + " exited during start:\n" + log());
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + bind + ":" + port + "/-/healthz"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        throw new AssertionError("node " + bind + " not healthy within 90 s:\n" + log());
    }

    String log() throws IOException {
        Path out = dir.resolve("agent.out");
        return Files.exists(out) ? Files.readString(out) : "(no output)";
    }

    long pid() {
        return process.pid();
    }

    void signal(String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("CONT");
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
