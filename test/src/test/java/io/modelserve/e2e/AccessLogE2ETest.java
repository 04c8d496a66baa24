package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.controller.dashboard.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code access_log = true} on a head with no room for replicas and an agent that runs them: a
 * request sent to the head is forwarded to the agent, and the head (whose ingress received it)
 * writes its line, with the agent's replica, node and queue/compute times as the agent told them.
 * A section's own {@code access_log = false} keeps its requests out; {@code latency_buckets_ms}
 * sets the buckets of the request histograms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessLogE2ETest {
    private static final String CONF = """
            access_log = true
            latency_buckets_ms = 2, 20, 200, 2000

            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.25
            route = extract
            method = POST

            [algopkg.Quiet]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.25
            route = quiet
            access_log = false
            """;

    RunningHead head;
    RunningNode agent;
    Path dir;

    @BeforeAll
    void startCluster() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("AlgoExample", "Quiet");
        // access_log and latency_buckets_ms belong to [MODEL SERVE]: the header ends with it.
        workspace.writeConf("conf.ini", CONF);
        head = workspace.start("conf.ini", "--cpus", "0", "--gpus", "0");
        agent = RunningNode.agent(dir, workspace, head.nextAddress(), "--cpus", "2", "--gpus", "0");
        head.awaitDeploymentsReady(2);
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

    /** The lines of {@code file} once it holds at least {@code count} (the writer is asynchronous). */
    private static List<JsonNode> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<JsonNode> lines = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(RunningHead.JSON.readTree(line));
                }
            }
            if (lines.size() >= count || System.nanoTime() > deadline) {
                return lines;
            }
            Thread.sleep(100);
        }
    }

    @Test
    @Order(1)
    void theReceivingNodeLogsAForwardedRequestWithTheAnsweringReplicaAndItsTimes() throws Exception {
        var answer = head.post("/extract?lang=en", "{\"text\":\"a good day\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        String info = RunningHead.json(answer).path("info").asText(); // node/replica that ran it
        assertThat(head.send("DELETE", "/extract").statusCode()).isEqualTo(405);

        List<JsonNode> lines = awaitLines(dir.resolve("logs/access/AlgoExample.log"), 2);
        assertThat(lines).hasSize(2);
        JsonNode served = lines.get(0);
        assertThat(served.properties().stream().map(java.util.Map.Entry::getKey).toList()).containsExactly("time", "deployment",
                "route", "protocol", "version", "replica", "node", "status", "bytes_in", "bytes_out", "queue_ms", "compute_ms",
                "total_ms");
        assertThat(served.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(served.path("deployment").asText()).isEqualTo("AlgoExample");
        assertThat(served.path("route").asText()).isEqualTo("/extract");
        assertThat(served.path("protocol").asText()).isEqualTo("rest");
        assertThat(served.path("version").asText()).isEqualTo("main");
        assertThat(served.path("node").asText()).isEqualTo("node-" + agent.bind).isNotEqualTo("node-" + head.bind);
        assertThat(served.path("node").asText() + "/" + served.path("replica").asText()).isEqualTo(info);
        assertThat(served.path("status").asInt()).isEqualTo(200);
        assertThat(served.path("bytes_in").asLong()).isEqualTo("{\"text\":\"a good day\"}".length());
        assertThat(served.path("bytes_out").asLong()).isEqualTo(answer.body().length());
        assertThat(served.path("queue_ms").isNumber()).as("the agent told the head its queue wait").isTrue();
        assertThat(served.path("compute_ms").isNumber()).as("and its compute").isTrue();
        assertThat(served.path("total_ms").doubleValue()).isGreaterThanOrEqualTo(served.path("compute_ms").doubleValue());
        assertThat(served.path("total_ms").asText()).matches("\\d+(\\.\\d{1,3})?");

        JsonNode refused = lines.get(1);
        assertThat(refused.path("status").asInt()).isEqualTo(405);
        assertThat(refused.path("replica").isNull()).isTrue();
        assertThat(refused.path("version").isNull()).isTrue();
        assertThat(refused.path("node").asText()).isEqualTo("node-" + head.bind);
        assertThat(refused.path("queue_ms").isNull()).isTrue();
    }

    @Test
    @Order(3)
    void aRequestToTheAgentIsInTheAgentsOwnLog() throws Exception {
        assertThat(head.postAt(agent.bind, "/extract", "{\"text\":\"another day\"}").statusCode()).isEqualTo(200);
        List<JsonNode> lines = awaitLines(agent.dir.resolve(".modelserve/logs/access/AlgoExample.log"), 1);
        assertThat(lines).isNotEmpty();
        assertThat(lines.get(lines.size() - 1).path("node").asText()).isEqualTo("node-" + agent.bind);
        assertThat(lines.get(lines.size() - 1).path("queue_ms").isNumber()).isTrue();
    }

    @Test
    @Order(2)
    void aSectionWithItsOwnAccessLogFalseIsNotLogged() throws Exception {
        assertThat(head.post("/quiet", "{\"text\":\"hush\"}").statusCode()).isEqualTo(200);
        assertThat(head.post("/extract", "{\"text\":\"after the quiet one\"}").statusCode()).isEqualTo(200);
        // The writer is one thread, in order: once the later line is there, the quiet one would be too.
        awaitLines(dir.resolve("logs/access/AlgoExample.log"), 3);
        assertThat(dir.resolve("logs/access/Quiet.log")).doesNotExist();
    }

    @Test
    @Order(4)
    void requestHistogramsHaveTheConfiguredBuckets() throws Exception {
        assertThat(head.post("/extract", "{\"text\":\"buckets\"}").statusCode()).isEqualTo(200);
        List<String> bounds = PrometheusText.parse(head.get("/-/metrics").body()).stream()
                .filter(s -> s.name().equals("modelserve_requests_seconds_bucket"))
                .filter(s -> s.label("deployment").equals("AlgoExample") && s.label("status").equals("200"))
                .map(s -> s.label("le")).distinct().toList();
        assertThat(bounds).containsExactly("0.002", "0.02", "0.2", "2.0", "+Inf");
    }
}
