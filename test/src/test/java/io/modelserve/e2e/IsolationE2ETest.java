package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code isolation = process}: a plugin that exits the JVM, exhausts its heap, hangs or leaks threads
 * takes down only its own child JVM; the replica is restarted with the cause in status, and the
 * head and an in-process deployment beside it keep serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolationE2ETest {
    static final String SECTIONS = """
            [algopkg.Misbehaving]
            backend = io.modelserve.examples.misbehaving.Misbehaving
            isolation = process
            memory_limit = 128m
            cpu_cost = 0.1
            route = bad
            timeout_ms = 2000

            [algopkg.BadInit]
            backend = io.modelserve.examples.misbehaving.Misbehaving
            isolation = process
            memory_limit = 128m
            cpu_cost = 0.1
            route = bad-init
            config.fail_init = weights are missing

            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            cpu_cost = 0.1
            route = good
            """;

    RunningHead head;

    @BeforeAll
    void start() throws Exception {
        Path dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("Misbehaving", "BadInit");
        workspace.writeConf("conf.ini", SECTIONS);
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stop() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private HttpResponse<String> act(String action) throws Exception {
        return head.post("/bad", "{\"action\": \"" + action + "\"}");
    }

    /** The child's pid, once a replica answers again (after a restart with backoff). */
    private long childPid() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = act("ok");
            if (answer.statusCode() == 200) {
                return RunningHead.json(answer).at("/result/pid").asLong();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Misbehaving never answered again:\n" + head.adminStatus().toPrettyString());
    }

    private JsonNode replica() throws Exception {
        return replicaOf("Misbehaving");
    }

    private JsonNode replicaOf(String deployment) throws Exception {
        for (JsonNode r : head.adminStatus().path("replicas")) {
            if (r.path("deployment").asText().equals(deployment)) {
                return r;
            }
        }
        throw new AssertionError("no " + deployment + " replica");
    }

    private void goodStillServes() throws Exception {
        assertThat(head.post("/good", "{}").statusCode()).isEqualTo(200);
        assertThat(head.isAlive()).isTrue();
    }

    @Test
    @Order(1)
    void thePluginRunsInAChildJvmAndItsErrorsAreOrdinaryAnswers() throws Exception {
        long pid = childPid();
        assertThat(pid).isNotEqualTo(head.process().pid());
        HttpResponse<String> threw = act("throw");
        assertThat(threw.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(threw).path("error").asText()).isEqualTo("the model exploded");
        HttpResponse<String> unserialisable = act("unserialisable");
        assertThat(unserialisable.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(unserialisable).path("error").asText()).contains("not JSON-serialisable");
        assertThat(act("leak-threads").statusCode()).isEqualTo(200);
        assertThat(childPid()).as("errors and leaks do not restart the child").isEqualTo(pid);
        goodStillServes();
    }

    @Test
    @Order(2)
    void systemExitRestartsOnlyThatReplicaWithTheCauseInStatus() throws Exception {
        long pid = childPid();
        HttpResponse<String> exit = act("exit");
        assertThat(exit.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(exit).path("error").asText()).contains("child JVM exited with code 3");
        goodStillServes();
        long next = childPid();
        assertThat(next).isNotEqualTo(pid);
        JsonNode replica = replica();
        assertThat(replica.path("restarts").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(replica.path("reason").asText()).contains("exited with code 3");
    }

    @Test
    @Order(3)
    void runningOutOfMemoryRestartsOnlyThatReplica() throws Exception {
        long pid = childPid();
        HttpResponse<String> oom = act("oom");
        assertThat(oom.statusCode()).isIn(500, 504);
        goodStillServes();
        assertThat(childPid()).isNotEqualTo(pid);
        assertThat(replica().path("reason").asText()).contains("ran out of memory (memory_limit = 128m)");
    }

    @Test
    @Order(4)
    void aHungPluginIsKilledAndReplaced() throws Exception {
        long pid = childPid();
        assertThat(act("hang").statusCode()).isEqualTo(504);
        goodStillServes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the hung child was killed").isFalse();
        assertThat(childPid()).isNotEqualTo(pid);
        // The reason names the hang, not the cancelled call of the killed child.
        assertThat(replica().path("reason").asText()).contains("inference() did not return within 5000 ms")
                .doesNotContain("CancellationException");
    }

    @Test
    @Order(5)
    void aSpinningPluginIsKilledAndReplaced() throws Exception {
        long pid = childPid();
        assertThat(act("spin").statusCode()).isEqualTo(504);
        goodStillServes();
        assertThat(childPid()).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    @Order(7)
    void anExitAfterAnOutOfMemoryRestartIsReportedWithItsOwnCause() throws Exception {
        // The child's output file is appended to across restarts and still holds order 3's OutOfMemoryError.
        long pid = childPid();
        HttpResponse<String> exit = act("exit");
        assertThat(RunningHead.json(exit).path("error").asText()).contains("child JVM exited with code 3").doesNotContain("memory");
        goodStillServes();
        assertThat(childPid()).isNotEqualTo(pid);
        assertThat(replica().path("reason").asText()).contains("exited with code 3").doesNotContain("ran out of memory");
    }

    @Test
    @Order(6)
    void anInitThatThrowsInTheChildIsFailedWithItsMessage() throws Exception {
        JsonNode replica = replicaOf("BadInit");
        assertThat(replica.path("state").asText()).isIn("FAILED", "STARTING");
        assertThat(replica.path("reason").asText()).contains("weights are missing");
        goodStillServes();
    }

    /**
     * A child JVM's plugin sees the client's headers, from its route and from the async queue alike (the
     * queued record keeps them for whichever node consumes it), without the connection's.
     */
    @Test
    @Order(8)
    void aPluginInAChildJvmSeesTheClientsHeadersFromItsRouteAndFromTheQueue() throws Exception {
        long pid = childPid();
        RunningHead.RawAnswer answer = head.postRaw("/bad", "{\"action\": \"headers\"}", "X-Request-Id: abc",
                "Connection: close, X-Hop", "X-Hop: 1");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode result = RunningHead.JSON.readTree(answer.body()).path("result");
        assertThat(result.path("pid").asLong()).as("answered in the child JVM").isEqualTo(pid);
        assertThat(result.path("requestId").asText()).isEqualTo("abc");
        assertThat(result.at("/headers/x-request-id").asText()).isEqualTo("abc");
        assertThat(result.path("headers").has("connection")).isFalse();
        assertThat(result.path("headers").has("x-hop")).isFalse();

        RunningHead.RawAnswer accepted = head.postRaw("/-/queue/bad", "{\"action\": \"headers\"}", "X-Request-Id: queued-1");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = RunningHead.JSON.readTree(accepted.body()).path("id").asText();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> done = head.get("/-/result/" + id);
        while (done.statusCode() == 202 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            done = head.get("/-/result/" + id);
        }
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(RunningHead.json(done).at("/result/requestId").asText()).isEqualTo("queued-1");
    }
}
