package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SECURITY.md, checked against a real head: node-to-node HTTP needs the cluster secret, headers are
 * bounded, an agent with the wrong secret refuses to join, and the admin token never reaches a log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityE2ETest {
    static final String SECRET_HEADER = "X-Modelserve-Cluster-Secret";
    final String secret = "cluster-" + UUID.randomUUID();
    final String token = "admin-" + UUID.randomUUID();
    /** What node-to-node HTTP carries: an HMAC of the secret, never the secret itself. */
    String httpToken;
    // HTTP/1.1, as an attacker's raw client speaks it: 431 is HTTP/1.1's answer to oversized headers;
    // over HTTP/2 Jetty ends the connection instead (README, HTTP/2).
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    Path dir;
    RunningHead.Workspace workspace;
    Process head;

    @BeforeAll
    void startHead() throws Exception {
        dir = RunningHead.scratchDir(SecurityE2ETest.class);
        workspace = RunningHead.workspace(dir);
        httpToken = io.modelserve.cluster.ClusterKeys.of(workspace.clusterName(), secret).httpToken();
        Files.writeString(dir.resolve("conf.ini"), workspace.header() + """
                admin_token = ${E2E_ADMIN_TOKEN}
                cluster_secret = ${E2E_CLUSTER_SECRET}

                [algopkg.Noop]
                backend = io.modelserve.examples.noop.Noop
                cpu_cost = 0.1
                route = echo
                method = POST
                """); // --cpus 0.1: the head has room for Noop alone; anything more lands on an agent

        ProcessBuilder start = Cli.command(dir, "start", "conf.ini", "--bind", workspace.bind(), "--cpus", "0.1")
                .redirectOutput(dir.resolve("head.out").toFile());
        start.environment().put("E2E_ADMIN_TOKEN", token);
        start.environment().put("E2E_CLUSTER_SECRET", secret);
        start.environment().put("E2E_OTHER_SECRET", "other-" + secret);
        head = start.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            assertThat(head.isAlive()).as("head exited during start:\n%s", headOutput()).isTrue();
            try {
                if (get("/-/healthz", null).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            assertThat(System.nanoTime()).as("head not healthy within 120 s:\n%s", headOutput()).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.destroy();
            if (!head.waitFor(30, TimeUnit.SECONDS)) {
                head.destroyForcibly();
            }
        }
    }

    @Test
    void artifactTransferNeedsTheClusterSecret() throws Exception {
        byte[] jar = Files.readAllBytes(dir.resolve("algopkg/Noop.jar"));
        String path = "/-/artifacts/" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar));

        assertThat(get(path, null).statusCode()).isEqualTo(403);
        assertThat(get(path, "wrong-" + secret).statusCode()).isEqualTo(403);
        assertThat(get(path, secret).statusCode()).as("the secret itself is not the token").isEqualTo(403);
        assertThat(get(path, httpToken.substring(0, httpToken.length() - 1)).statusCode()).isEqualTo(403);
        HttpResponse<byte[]> served = http.send(request(path, httpToken).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(jar);
    }

    @Test
    void forwardingNeedsTheClusterSecret() throws Exception {
        HttpResponse<String> refused = http.send(request("/-/replica/any", null).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"status\":0", "cluster secret");
        HttpResponse<String> admitted = http.send(request("/-/replica/no-such-replica", httpToken)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admitted.statusCode()).isEqualTo(503); // past the secret check: that replica is not here
    }

    @Test
    void oversizedHeadersAre431AndTheNodeKeepsServing() throws Exception {
        HttpResponse<String> tooBig = http.send(request("/-/healthz", null).header("X-Padding", "a".repeat(20 * 1024))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(tooBig.statusCode()).isEqualTo(431);
        HttpResponse<String> fine = http.send(request("/-/healthz", null).header("X-Padding", "a".repeat(8 * 1024))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fine.statusCode()).isEqualTo(200);
    }

    @Test
    void anAgentWithTheWrongSecretRefusesToJoin() throws Exception {
        String bind = otherAddress();
        Path agentDir = Files.createDirectories(dir.resolve("agent-" + bind));
        ProcessBuilder agent = Cli.command(agentDir, "agent", "--join", workspace.bind(), "--bind", bind,
                "--cluster-name", workspace.clusterName(), "--cluster-secret-env", "E2E_AGENT_SECRET");
        agent.environment().put("E2E_AGENT_SECRET", "not-" + secret);
        Cli.Result result = run(agent, 120);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("E2E_AGENT_SECRET", "accepted this node")
                .doesNotContain(secret);
    }

    @Test
    void withoutASecretANodeRefusesANonLoopbackAddressUnlessInsecure() throws Exception {
        // Refused before anything binds, so an address this machine does not have is fine.
        Path agentDir = Files.createDirectories(dir.resolve("agent-insecure"));
        ProcessBuilder agent = Cli.command(agentDir, "agent", "--join", workspace.bind(), "--bind", "10.255.255.1",
                "--cluster-secret-env", "E2E_UNSET_SECRET");
        Cli.Result result = run(agent, 120);
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("refusing to bind 10.255.255.1 without a cluster secret", "--insecure");
        assertThat(result.output().strip().lines().filter(line -> line.startsWith("error:")).count()).isEqualTo(1);

        Files.writeString(dir.resolve("no-secret.ini"), workspace.header() + "\n");
        Cli.Result head = run(Cli.command(dir, "start", "no-secret.ini", "--bind", "10.255.255.1"), 120);
        assertThat(head.exitCode()).as(head.output()).isEqualTo(2);
        assertThat(head.output()).contains("refusing to bind 10.255.255.1 without a cluster secret");
    }

    @Test
    void nodesWithTheSecretForwardAndShareArtifacts() throws Exception {
        String bind = otherAddress();
        Path agentDir = Files.createDirectories(dir.resolve("agent-ok-" + bind));
        ProcessBuilder start = Cli.command(agentDir, "agent", "--join", workspace.bind(), "--bind", bind, "--cpus", "1",
                "--cluster-name", workspace.clusterName()).redirectOutput(agentDir.resolve("agent.out").toFile());
        start.environment().put("MODELSERVE_CLUSTER_SECRET", secret);
        Process agent = start.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                assertThat(agent.isAlive()).as("agent exited:\n%s", Files.readString(agentDir.resolve("agent.out"))).isTrue();
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://" + bind + ":" + workspace.port() + "/-/healthz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // Still starting.
                }
                assertThat(System.nanoTime()).as("agent not healthy within 120 s").isLessThan(deadline);
                Thread.sleep(250);
            }
            // AlgoExample cannot fit on the head: the agent runs it, fetching the jar from the head.
            Files.writeString(dir.resolve("two-nodes.ini"), Files.readString(dir.resolve("conf.ini")) + """

                    [algopkg.AlgoExample]
                    backend = io.modelserve.examples.algoexample.AlgoExample
                    model = algoexample_lexicon_v1.txt
                    cpu_cost = 0.5
                    route = extract
                    method = GET,POST
                    """);
            ProcessBuilder apply = Cli.command(dir, "apply", "two-nodes.ini", "--head", workspace.bind() + ":" + workspace.dashboardPort());
            apply.environment().put("MODELSERVE_TOKEN", token);
            Cli.Result applied = run(apply, 180);
            assertThat(applied.exitCode()).as(applied.output()).isZero();

            HttpResponse<String> toAgent = http.send(request("/extract?text=good", null).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(toAgent.statusCode()).as(toAgent.body()).isEqualTo(200);
            assertThat(toAgent.body()).contains("node-" + bind + "/");
            HttpResponse<String> toHead = http.send(HttpRequest.newBuilder(URI.create("http://" + bind + ":" + workspace.port() + "/echo"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(toHead.statusCode()).as(toHead.body()).isEqualTo(200);
            assertThat(toHead.body()).contains("node-" + workspace.bind() + "/");
        } finally {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    @Test
    void theClusterSecretCannotChangeLive() throws Exception {
        Path changed = dir.resolve("changed-secret.ini");
        Files.writeString(changed, Files.readString(dir.resolve("conf.ini")).replace("${E2E_CLUSTER_SECRET}", "${E2E_OTHER_SECRET}"));
        ProcessBuilder apply = Cli.command(dir, "apply", "changed-secret.ini", "--head", workspace.bind() + ":" + workspace.dashboardPort());
        apply.environment().put("MODELSERVE_TOKEN", token);
        Cli.Result result = run(apply, 180);

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("cluster_secret: this head runs with another one; changing it needs a restart of every node")
                .doesNotContain(secret);
        assertThat(get("/-/artifacts/" + "0".repeat(64), httpToken).statusCode()).isEqualTo(404); // the old secret still admits
    }

    @Test
    void theAdminTokenNeverReachesALog() throws Exception {
        Files.writeString(dir.resolve("conf.ini"), Files.readString(dir.resolve("conf.ini")).replace("method = POST",
                "method = POST\ntimeout_ms = 20000"));
        ProcessBuilder unauthorised = Cli.command(dir, "apply", "conf.ini", "--head", workspace.bind() + ":" + workspace.dashboardPort());
        unauthorised.environment().put("MODELSERVE_TOKEN", "guess-" + token);
        assertThat(run(unauthorised, 180).exitCode()).isNotZero();
        ProcessBuilder apply = Cli.command(dir, "apply", "conf.ini", "--head", workspace.bind() + ":" + workspace.dashboardPort());
        apply.environment().put("MODELSERVE_TOKEN", token);
        Cli.Result applied = run(apply, 180);
        assertThat(applied.exitCode()).as(applied.output()).isZero();

        List<Path> logs;
        try (Stream<Path> files = Files.walk(dir)) {
            logs = files.filter(Files::isRegularFile)
                    .filter(file -> file.toString().endsWith(".log") || file.toString().endsWith(".out"))
                    .toList();
        }
        assertThat(logs).isNotEmpty();
        for (Path log : logs) {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            assertThat(text).as(log.toString()).doesNotContain(token).doesNotContain(secret);
        }
    }

    /** A loopback address next to the head's, so the agent's ports never collide with it. */
    private String otherAddress() {
        int last = Integer.parseInt(workspace.bind().substring(workspace.bind().lastIndexOf('.') + 1));
        return "127.0.0." + (last + 1);
    }

    private HttpRequest.Builder request(String path, String secretHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + workspace.bind() + ":" + workspace.port() + path))
                .timeout(Duration.ofSeconds(30));
        return secretHeader == null ? request : request.header(SECRET_HEADER, secretHeader);
    }

    private HttpResponse<String> get(String path, String secretHeader) throws IOException, InterruptedException {
        return http.send(request(path, secretHeader).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String headOutput() throws IOException {
        Path out = dir.resolve("head.out");
        return Files.exists(out) ? Files.readString(out) : "(no output)";
    }

    private static Cli.Result run(ProcessBuilder command, long timeoutSeconds) throws Exception {
        Process process = command.start();
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The process died; what was read is what there is.
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish in " + timeoutSeconds + " s: " + command.command());
        }
        reader.join(5_000);
        return new Cli.Result(process.exitValue(), output.toString());
    }
}
