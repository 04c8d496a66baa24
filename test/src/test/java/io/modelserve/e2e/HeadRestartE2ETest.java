package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A head and one agent as separate JVMs, no standby. The head is killed with SIGKILL and started
 * again with the same conf.ini and state_dir: it must adopt the running cluster — the agent's replicas
 * keep their ids, restart counters and start times, the route answers throughout, and the next apply
 * takes the next generation. Also: the admin API refuses a cross-site text/plain apply (no token here).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeadRestartE2ETest {
    static final String FAILURE_TIMEOUT = "4";
    static final String SPREAD = """
            [algopkg.Spread]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            replicas = 2
            cpu_cost = 0.5
            route = spread
            method = GET,POST
            %s
            """;

    Path dir;
    RunningHead.Workspace workspace;
    RunningHead head;
    RunningNode agent;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startCluster() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("AlgoExample", "Spread");
        workspace.writeConf("conf.ini", SPREAD.formatted(""));
        head = startHead();
        String base = workspace.bind().substring(0, workspace.bind().lastIndexOf('.') + 1);
        int last = Integer.parseInt(workspace.bind().substring(base.length()));
        agent = RunningNode.agent(dir, workspace, "127.0." + (last % 200 + 1) + ".1", "--cpus", "2", "--gpus", "0",
                "--failure-timeout", FAILURE_TIMEOUT);
    }

    private RunningHead startHead() throws Exception {
        return workspace.start("conf.ini", "--cpus", "0", "--gpus", "0", "--failure-timeout", FAILURE_TIMEOUT);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (head != null) {
            head.close();
        }
    }

    /** replica id -> "restarts/since/startedAt" for the RUNNING replicas of Spread. */
    private Map<String, String> runningReplicas() throws Exception {
        Map<String, String> replicas = new TreeMap<>();
        for (JsonNode r : head.adminStatus().path("replicas")) {
            if (r.path("deployment").asText().equals("Spread") && r.path("state").asText().equals("RUNNING")) {
                replicas.put(r.path("id").asText(), r.path("node").asText() + " restarts=" + r.path("restarts").asInt()
                        + " since=" + r.path("sinceMillis").asLong() + " startedAt=" + r.path("startedAtMillis").asLong());
            }
        }
        return replicas;
    }

    private int routeStatus() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + agent.bind + ":" + workspace.port() + "/spread?text=good"))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private long generation() throws Exception {
        return RunningHead.json(http.send(HttpRequest.newBuilder(URI.create("http://" + workspace.bind() + ":"
                + workspace.dashboardPort() + "/api/config")).build(), HttpResponse.BodyHandlers.ofString())).path("generation").asLong();
    }

    private static double await(String what, long seconds, BooleanSupplier condition) throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return (System.nanoTime() - started) / 1e9;
                }
            } catch (RuntimeException notYet) {
                // a process between states; look again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + seconds + " s: " + what);
    }

    private boolean converged() {
        try {
            JsonNode status = head.adminStatus();
            return status.path("converged").asBoolean() && runningReplicas().size() == 2;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aHeadRestartedWithoutAStandbyAdoptsTheRunningClusterAndRestartsNothing() throws Exception {
        await("Spread running on the agent", 120, this::converged);
        Map<String, String> before = runningReplicas();
        long generationBefore = generation();
        assertThat(routeStatus()).isEqualTo(200);
        assertThat(before.values()).allMatch(line -> line.startsWith("node-" + agent.bind + " "));
        assertThat(dir.resolve("state/applied.json")).exists();

        head.process().destroyForcibly();
        assertThat(head.awaitExit(30)).isNotEqualTo(-1);
        // A killed process's connections are reset: the agent is alone (and its own master) at once,
        // long before a new head JVM is up, as when an operator or systemd restarts it straight away.
        int whileAlone = routeStatus();

        long restart = System.nanoTime();
        head = startHead();
        double adopted = await("the restarted head converged", 120, this::converged);
        double total = (System.nanoTime() - restart) / 1e9;
        Map<String, String> after = runningReplicas();
        long generationAfter = generation();
        int afterRestart = routeStatus();
        String headLog = head.log();

        workspace.writeConf("conf.ini", SPREAD.formatted("timeout_ms = 20000"));
        Cli.Result applied = head.cli("apply", "conf.ini");
        long generationNext = generation();
        Map<String, String> afterApply = runningReplicas();
        int restartedReplicas = (int) before.keySet().stream().filter(id -> !after.containsKey(id) || !after.get(id).equals(before.get(id))).count();
        System.out.printf("head restart without standby: restarted head converged %.2f s after it was up"
                        + " (%.2f s from launch); replicas restarted: %d of %d; generation %d -> %d -> next apply %d; route %d while"
                        + " headless, %d after%n", adopted, total, restartedReplicas, before.size(), generationBefore,
                generationAfter, generationNext, whileAlone, afterRestart);

        assertThat(after).as("same replicas, same restarts and start times\nhead log:\n" + headLog).isEqualTo(before);
        assertThat(restartedReplicas).isZero();
        assertThat(whileAlone).as("the agent serves while no head runs").isEqualTo(200);
        assertThat(afterRestart).isEqualTo(200);
        assertThat(generationAfter).as("the generation continues").isEqualTo(generationBefore);
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(generationNext).isEqualTo(generationBefore + 1);
        assertThat(afterApply).as("timeout_ms changes in place").isEqualTo(before);
    }

    @Test
    void aCrossSiteTextPlainApplyIsRefusedWithoutAToken() throws Exception {
        long generation = generation();
        String body = RunningHead.JSON.writeValueAsString(Map.of("path", dir.resolve("conf.ini").toString(),
                "text", Files.readString(dir.resolve("conf.ini")).replace("replicas = 2", "replicas = 0"), "dryRun", false));
        HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(URI.create("http://" + workspace.bind() + ":"
                        + workspace.dashboardPort() + "/api/apply")).header("Content-Type", "text/plain")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(crossSite.statusCode()).as(crossSite.body()).isEqualTo(403);
        assertThat(RunningHead.json(crossSite).path("error").asText()).contains("another origin");
        assertThat(generation()).isEqualTo(generation);
    }
}
