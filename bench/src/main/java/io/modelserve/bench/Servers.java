package io.modelserve.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The servers a benchmark measures, each its own JVM on loopback: a modelserve head, or the bare Javalin echo. */
final class Servers {
    static final Path ROOT = Path.of(System.getProperty("modelserve.root", ".")).toAbsolutePath().normalize();
    /** Away from 127.0.0.1, so a developer's own head on the default ports is never in the way. */
    static final String HOST = System.getProperty("bench.host", "127.0.0.91");

    private Servers() {}

    /** A running server process and the port its HTTP endpoint listens on. */
    record Running(String name, Process process, int port, Runnable stop, int dashboard, Path dir) implements AutoCloseable {
        Running(String name, Process process, int port, Runnable stop) {
            this(name, process, port, stop, 0, null);
        }

        @Override
        public void close() throws InterruptedException {
            stop.run();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code BareEcho} in a JVM of its own, with the heap collector modelserve uses. */
    static Running bareEcho(Path logDir) throws Exception {
        int port = freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.createDirectories(logDir);
        Process process = new ProcessBuilder(java.toString(), "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
                BareEcho.class.getName(), HOST, String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(logDir.resolve("bare-echo.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the bare Javalin echo did not start; see " + logDir.resolve("bare-echo.out"));
            }
            Thread.sleep(100);
        }
        return new Running("bare Javalin", process, port, process::destroy);
    }

    /**
     * A head started with {@code bin/modelserve start} in a scratch directory under bench/target, serving
     * {@code deployments} (conf.ini sections) from the listed plugin jars; returns once it has converged.
     */
    static Running head(String name, List<String> plugins, String deployments) throws Exception {
        return head(name, plugins, deployments, List.of());
    }

    /** The address of the second node in a node-hop benchmark. */
    static final String AGENT_HOST = System.getProperty("bench.agent_host", "127.0.0.92");

    /**
     * A head with no room for replicas ({@code --cpus 0}) and an agent that runs them: every request
     * sent to the head's ingress crosses one node hop (forwarded over loopback to the agent).
     */
    static Running hop(String name, List<String> plugins, String deployments) throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("bench/target/runs")).resolve(name + "-agent-" + System.currentTimeMillis());
        Files.createDirectories(dir);
        Running head = head(name, plugins, "", List.of("--cpus", "0"));
        String cluster = Files.readString(head.dir().resolve("conf.ini")).lines().filter(l -> l.startsWith("cluster_name"))
                .findFirst().orElseThrow().split("=")[1].trim();
        Process agent = new ProcessBuilder(ROOT.resolve("bin/modelserve").toString(), "agent", "--join", HOST, "--bind", AGENT_HOST,
                "--cpus", "2", "--cluster-name", cluster).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://" + AGENT_HOST + ":" + head.port() + "/-/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // The agent is still starting.
            }
            if (!agent.isAlive() || System.nanoTime() > deadline) {
                agent.destroyForcibly();
                head.close();
                throw new IllegalStateException("the agent did not start; see " + dir.resolve("agent.out"));
            }
            Thread.sleep(250);
        }
        Path conf = head.dir().resolve("conf.ini");
        Files.writeString(conf, Files.readString(conf) + "\n" + deployments);
        Process apply = new ProcessBuilder(ROOT.resolve("bin/modelserve").toString(), "apply", "conf.ini", "--head",
                HOST + ":" + head.dashboard()).directory(head.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("apply.out").toFile()).start();
        if (!apply.waitFor(180, TimeUnit.SECONDS) || apply.exitValue() != 0) {
            agent.destroyForcibly();
            head.close();
            throw new IllegalStateException("apply on the two-node cluster failed; see " + dir.resolve("apply.out"));
        }
        Runnable stop = () -> {
            agent.destroy();
            try {
                agent.waitFor(30, TimeUnit.SECONDS);
                head.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        return new Running("modelserve via node hop", head.process(), head.port(), stop, head.dashboard(), head.dir());
    }

    static Running head(String name, List<String> plugins, String deployments, List<String> startOptions) throws Exception {
        Running head = launch(name, plugins, deployments, startOptions);
        awaitConverged(head.process(), head.port(), head.dashboard(), head.dir());
        return head;
    }

    /** The same head, returned as soon as its process runs: for a caller that watches its replicas start itself. */
    static Running launch(String name, List<String> plugins, String deployments, List<String> startOptions) throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("bench/target/runs")).resolve(name + "-" + System.currentTimeMillis());
        Files.createDirectories(dir.resolve("algopkg"));
        for (String plugin : plugins) {
            Path jar = ROOT.resolve("algopkg").resolve(plugin + ".jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (bin/mvn -B -DskipTests install)");
            }
            Files.copy(jar, dir.resolve("algopkg").resolve(plugin + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        int dashboard = freePort();
        Files.writeString(dir.resolve("conf.ini"), """
                [MODEL SERVE]
                port = %d
                dashboard_port = %d
                cluster_name = bench-%d
                algopkg_dir = algopkg
                model_zoo = %s
                log_dir = logs

                %s""".formatted(port, dashboard, ThreadLocalRandom.current().nextInt(1_000_000), ROOT.resolve("Model_ZOO"), deployments));
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/modelserve").toString(), "start", "conf.ini", "--bind", HOST));
        command.addAll(startOptions);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("head.out").toFile()).start();
        Runnable stop = () -> {
            try {
                new ProcessBuilder(ROOT.resolve("bin/modelserve").toString(), "stop", "--head", HOST + ":" + dashboard)
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("stop.out").toFile())
                        .start().waitFor(60, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                process.destroy();
            }
        };
        return new Running("modelserve", process, port, stop, dashboard, dir);
    }

    private static void awaitConverged(Process process, int port, int dashboard, Path dir) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the head exited during start; see " + dir.resolve("head.out"));
            }
            try {
                int health = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/-/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                String status = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + dashboard + "/api/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (health == 200 && status.replace(" ", "").contains("\"converged\":true")) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the head did not converge within 180 s; see " + dir.resolve("head.out"));
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }
}
