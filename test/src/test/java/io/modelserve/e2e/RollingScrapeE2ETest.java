package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.controller.dashboard.PrometheusText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Five rolling replacements of a deployment on a head and an agent (each apply changes
 * {@code max_queued}, which is part of the version, so every replica is replaced, one at a time),
 * with traffic to both nodes after each, so every generation of replicas leaves request, queue,
 * compute and restart series behind it. Afterwards the scrape of each node holds only the live
 * replicas' series, and {@code promtool check metrics} accepts each one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingScrapeE2ETest {
    private static final String NOOP = """
            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.25
            replicas = 3
            route = noop
            max_queued = %d
            """;

    RunningHead.Workspace workspace;
    RunningHead head;
    RunningNode agent;
    final Set<String> everyReplica = new TreeSet<>();

    @BeforeAll
    void startCluster() throws Exception {
        Path dir = RunningHead.scratchDir(getClass());
        workspace = RunningHead.workspace(dir);
        workspace.writeConf("conf.ini", NOOP.formatted(100));
        head = workspace.start("conf.ini", "--cpus", "1", "--gpus", "0");
        agent = RunningNode.agent(dir, workspace, head.nextAddress(), "--cpus", "1", "--gpus", "0");
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

    /** The ids of the replicas of the current version, once all 3 are ready and nothing else is left. */
    private Set<String> awaitRolledOut() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = head.adminStatus();
            JsonNode deployment = status.path("deployments").path(0);
            Set<String> ids = new HashSet<>();
            status.path("replicas").forEach(replica -> ids.add(replica.path("id").asText()));
            if (status.path("converged").asBoolean() && deployment.path("ready").asInt() == 3 && ids.size() == 3) {
                return ids;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not rolled out within 120 s: " + status);
    }

    private void traffic() throws Exception {
        for (String bind : List.of(head.bind, agent.bind)) {
            for (int i = 0; i < 20; i++) {
                assertThat(head.postAt(bind, "/noop", "{\"text\":\"hi\"}").statusCode()).isEqualTo(200);
            }
        }
    }

    private static Set<String> replicaLabels(String scrape) {
        Set<String> replicas = new TreeSet<>();
        for (PrometheusText.Sample sample : PrometheusText.parse(scrape)) {
            String replica = sample.labels().get("replica");
            if (replica != null && !replica.equals("none")) {
                replicas.add(replica);
            }
        }
        return replicas;
    }

    @Test
    void afterFiveRollingReplacementsEachScrapeHoldsOnlyLiveReplicasAndPassesPromtool() throws Exception {
        Set<String> live = awaitRolledOut();
        everyReplica.addAll(live);
        traffic();
        for (int round = 1; round <= 5; round++) {
            workspace.writeConf("conf.ini", NOOP.formatted(100 + round));
            Cli.Result applied = head.cli("apply", "conf.ini");
            assertThat(applied.exitCode()).as(applied.output()).isZero();
            Set<String> next = awaitRolledOut();
            assertThat(next).as("round %d replaced every replica", round).doesNotContainAnyElementsOf(live);
            live = next;
            everyReplica.addAll(live);
            traffic();
        }
        assertThat(everyReplica).hasSize(18);

        // A node drops a gone replica's series when its loop next sees the cluster without it
        // (twice a second): bounded polling, not a fixed wait.
        List<String> scrapes = new ArrayList<>();
        for (String bind : List.of(head.bind, agent.bind)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String scrape = head.getAt(bind, "/-/metrics").body();
            while (!live.containsAll(replicaLabels(scrape)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                scrape = head.getAt(bind, "/-/metrics").body();
            }
            assertThat(replicaLabels(scrape)).as("replica-labelled series on %s", bind).isNotEmpty().isSubsetOf(live);
            assertThat(scrape).as("the request histograms of %s", bind).contains("modelserve_requests_seconds_bucket");
            scrapes.add(scrape);
        }
        assertThat(PrometheusText.parse(scrapes.get(0))).as("the head's restarts counter, per live replica")
                .filteredOn(s -> s.name().equals("modelserve_replica_restarts_total"))
                .extracting(s -> s.labels().get("replica")).containsExactlyInAnyOrderElementsOf(live);

        Path promtool = Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null,
                "promtool is not installed (Debian package prometheus; .ci/run installs it): skipping its check");
        for (int i = 0; i < scrapes.size(); i++) {
            Path file = workspace.dir().resolve("metrics-" + i + ".prom");
            Files.writeString(file, scrapes.get(i));
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check metrics < %s:%n%s", file, output).isZero();
        }
    }
}
