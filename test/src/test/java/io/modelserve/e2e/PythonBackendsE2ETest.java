package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Python packages ({@code backend.py}) as users of the original Python model server wrote them, on a
 * cluster whose head runs nothing (--cpus 0): every replica runs on an agent in an empty directory,
 * so packages, models and wheels reach it by digest only. Each package has its own environment
 * (tinylib 1.0 and 2.0 side by side, numpy from the interpreter), and a replica that exits, crashes,
 * runs out of memory or hangs is replaced with the cause in status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PythonBackendsE2ETest {
    /** Debian's python3 with python3-numpy (CI installs them); the interpreter every package here runs on. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    static final String SECTIONS = """
            [algopkg.PyAlgoExample]
            backend = algo_backend
            model = algoexample_lexicon_v1.txt
            route = py/extract
            cpu_cost = 0.1
            config.greeting = %s

            [algopkg.TinyOld]
            backend = algo_backend
            route = tiny/old
            cpu_cost = 0.1

            [algopkg.TinyNew]
            backend = Backend
            route = tiny/new
            method = GET,POST
            cpu_cost = 0.1

            [algopkg.NumpyIris]
            backend = IrisClassifier
            model = iris_softmax_W.npy, iris_softmax_b.npy
            route = iris
            cpu_cost = 0.1

            [algopkg.PyTokens]
            backend = Tokens
            route = tokens
            cpu_cost = 0.1
            config.prefix = >

            [algopkg.PyMisbehaving]
            backend = algo_backend
            route = bad
            memory_limit = 256m
            timeout_ms = 2000
            cpu_cost = 0.1

            [algopkg.BrokenRequirements]
            backend = algo_backend
            route = broken
            cpu_cost = 0.1

            [algopkg.NoInterpreter]
            backend = algo_backend
            route = nopython
            python = /nonexistent/bin/python3
            cpu_cost = 0.1
            """;

    Path dir;
    RunningHead head;
    RunningNode agent;

    @BeforeAll
    void start() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace plain = RunningHead.workspace(dir);
        RunningHead.Workspace workspace = new RunningHead.Workspace(dir, plain.bind(), plain.port(), plain.dashboardPort(),
                plain.header() + "python = " + PYTHON + "\n", plain.clusterName());
        RunningHead.copyTree(Cli.ROOT.resolve("wheelhouse"), dir.resolve("wheelhouse"));
        Path resources = Cli.ROOT.resolve("test/src/test/resources/python");
        for (String name : List.of("PyMisbehaving", "PyTokens")) {
            RunningHead.copyTree(resources.resolve(name), dir.resolve("algopkg").resolve(name));
        }
        Path broken = Files.createDirectories(dir.resolve("algopkg/BrokenRequirements"));
        Files.copy(resources.resolve("PyMisbehaving/backend.py"), broken.resolve("backend.py"));
        Files.writeString(broken.resolve("requirements.txt"), "tinylib==9.9\n");
        Path noInterpreter = Files.createDirectories(dir.resolve("algopkg/NoInterpreter"));
        Files.copy(resources.resolve("PyMisbehaving/backend.py"), noInterpreter.resolve("backend.py"));
        workspace.writeConf("conf.ini", SECTIONS.formatted("hi"));
        head = workspace.start("conf.ini", "--cpus", "0", "--gpus", "0");
        String base = workspace.bind().substring(0, workspace.bind().lastIndexOf('.') + 1);
        int last = Integer.parseInt(workspace.bind().substring(base.length()));
        agent = RunningNode.agent(dir, workspace, "127.0." + (last % 200 + 1) + ".1", "--cpus", "8", "--gpus", "0");
        awaitRunning("PyAlgoExample", "TinyOld", "TinyNew", "NumpyIris", "PyTokens", "PyMisbehaving");
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (head != null) {
            head.close();
        }
    }

    @Test
    @Order(1)
    void theOriginalSectionAndPackageAnswerOnTheirRouteWithTheDictAsItWas() throws Exception {
        HttpResponse<String> answer = head.post("/py/extract", "{\"text\": \"a good day\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = RunningHead.json(answer);
        assertThat(body.path("status").asInt()).isEqualTo(1);
        assertThat(body.path("info").asText()).isEqualTo("scored 3 words");
        assertThat(body.at("/result/score").asDouble()).isEqualTo(1.0);
        assertThat(body.at("/result/greeting").asText()).isEqualTo("hi");
        JsonNode refused = RunningHead.json(head.post("/py/extract", "{\"words\": 3}"));
        assertThat(refused.path("status").asInt()).as("status 0 and info are the package's own").isEqualTo(0);
        assertThat(refused.path("info").asText()).contains("send {\"text\"");
        assertThat(agent.dir.resolve("algopkg")).as("the agent has no shared disk").doesNotExist();
    }

    @Test
    @Order(2)
    void twoPackagesWithConflictingPinsRunSideBySide() throws Exception {
        JsonNode old = RunningHead.json(head.post("/tiny/old", "{\"name\": \"ada\"}"));
        assertThat(old.at("/result/tinylib").asText()).isEqualTo("1.0");
        assertThat(old.at("/result/greeting").asText()).isEqualTo("hello, ada");
        // The SDK-shaped package answers in the route's envelope, like a Java plugin.
        JsonNode fresh = RunningHead.json(head.get("/tiny/new?name=ada"));
        assertThat(fresh.at("/result/tinylib").asText()).isEqualTo("2.0");
        assertThat(fresh.at("/result/greeting/name").asText()).isEqualTo("ada");
        assertThat(fresh.path("info").asText()).contains("TinyNew");
        JsonNode iris = RunningHead.json(head.post("/iris", "{\"features\": [6.9, 3.1, 5.8, 2.2]}"));
        assertThat(iris.at("/result/label").asText()).isEqualTo("virginica");
        assertThat(iris.path("info").asText()).startsWith("numpy ");
    }

    @Test
    @Order(3)
    void aGeneratorStreamsItsChunks() throws Exception {
        HttpResponse<String> answer = head.post("/tokens", "{\"text\": \"one two three\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        List<String> lines = answer.body().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(RunningHead.JSON.readTree(lines.get(1)).path("chunk").asText()).isEqualTo(">two");
        assertThat(RunningHead.JSON.readTree(lines.get(3)).path("done").asBoolean()).isTrue();
    }

    /**
     * Sent to the head, which runs nothing: the request crosses to the agent in a forward frame, then to
     * the Python child in a call frame, and the backend sees the client's headers as if it had run on
     * the node the client called, without those of the client's connection or modelserve's own.
     */
    @Test
    @Order(3)
    void theBackendSeesTheClientsHeadersAcrossTheHopButNotTheConnectionsNorModelservesOwn() throws Exception {
        pid(); // PyMisbehaving answers
        RunningHead.RawAnswer answer = head.postRaw("/bad", "{}", "X-Request-Id: abc", "Connection: close, X-Hop",
                "X-Hop: for the next hop only", "Accept: text/plain", "Accept: application/json",
                "X-Modelserve-Cluster-Secret: a guess");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode result = RunningHead.JSON.readTree(answer.body()).path("result");
        ProcessHandle child = ProcessHandle.of(result.path("pid").asLong()).orElseThrow();
        assertThat(child.parent().map(ProcessHandle::pid)).as("the agent's replica answered").hasValue(agent.pid());
        JsonNode headers = result.path("headers");
        assertThat(headers.path("x-request-id").asText()).isEqualTo("abc");
        assertThat(headers.path("accept").asText()).isEqualTo("text/plain, application/json");
        assertThat(headers.path("content-type").asText()).isEqualTo("application/json");
        List<String> names = new java.util.ArrayList<>();
        headers.fieldNames().forEachRemaining(names::add);
        assertThat(names).doesNotContain("connection", "x-hop", "x-modelserve-cluster-secret")
                .allSatisfy(name -> assertThat(name).isLowerCase().doesNotStartWith("x-modelserve-"));

        // The SDK-shaped request too, on a stream: request.headers.get(name) in any case.
        RunningHead.RawAnswer streamed = head.postRaw("/tokens", "{\"text\": \"one\", \"header\": \"X-REQUEST-ID\"}",
                "X-Request-Id: abc");
        assertThat(streamed.status()).as(streamed.body()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"X-REQUEST-ID=abc\"");
    }

    @Test
    @Order(5)
    void reconfigureIsLiveWithoutConstructingTheClassAgain() throws Exception {
        long pid = RunningHead.json(head.post("/py/extract", "{\"text\": \"x\"}")).at("/result/constructed_in").asLong();
        // The failed deployments go: apply waits for convergence, which they would never reach.
        String conf = Files.readString(dir.resolve("conf.ini"));
        Files.writeString(dir.resolve("conf.ini"), conf.substring(0, conf.indexOf("[algopkg.BrokenRequirements]"))
                .replace("config.greeting = hi", "config.greeting = bonjour"));
        Cli.Result apply = head.cli("apply", "conf.ini");
        assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(0);
        JsonNode answer = awaitAnswer("/py/extract", "{\"text\": \"x\"}", a -> a.at("/result/greeting").asText().equals("bonjour"));
        assertThat(answer.at("/result/constructed_in").asLong()).isEqualTo(pid);
    }

    @Test
    @Order(6)
    void anExceptionIsA500WithItsMessageAndTheChildStays() throws Exception {
        long pid = pid();
        HttpResponse<String> threw = head.post("/bad?action=throw", "{}");
        assertThat(threw.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(threw).path("error").asText()).isEqualTo("ValueError: the model exploded");
        assertThat(pid()).isEqualTo(pid);
    }

    @Test
    @Order(7)
    void anExitIsContainedToItsReplicaWithTheCauseInStatus() throws Exception {
        long pid = pid();
        HttpResponse<String> exit = head.post("/bad?action=exit", "{}");
        assertThat(exit.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(exit).path("error").asText()).contains("Python child exited with code 3");
        assertThat(awaitNewPid(pid)).isNotEqualTo(pid);
        assertThat(replica("PyMisbehaving").path("reason").asText()).contains("exited with code 3");
        othersStillServe();
    }

    @Test
    @Order(8)
    void aCrashIsContainedToItsReplica() throws Exception {
        long pid = pid();
        assertThat(head.post("/bad?action=crash", "{}").statusCode()).isEqualTo(500);
        awaitNewPid(pid);
        assertThat(replica("PyMisbehaving").path("reason").asText()).contains("killed by signal 11");
        othersStillServe();
    }

    @Test
    @Order(9)
    void runningOutOfMemoryIsContainedToItsReplica() throws Exception {
        long pid = pid();
        HttpResponse<String> oom = head.post("/bad?action=oom", "{}");
        assertThat(oom.statusCode()).as(oom.body()).isEqualTo(500);
        assertThat(RunningHead.json(oom).path("error").asText()).contains("ran out of memory");
        awaitNewPid(pid);
        assertThat(replica("PyMisbehaving").path("reason").asText()).contains("ran out of memory (memory_limit = 256m)");
        othersStillServe();
    }

    @Test
    @Order(10)
    void aHungCallIsKilledAndItsReplicaReplaced() throws Exception {
        long pid = pid();
        // Through the head to the agent: the agent's own 504 (its replica timed the call out), not a 503 from the head's forward racing it.
        HttpResponse<String> hung = head.post("/bad?action=hang", "{}");
        assertThat(hung.statusCode()).as(hung.body()).isEqualTo(504);
        assertThat(RunningHead.json(hung).path("error").asText()).contains("timeout_ms");
        awaitNewPid(pid);
        assertThat(replica("PyMisbehaving").path("reason").asText()).contains("did not return within")
                .contains("Python child was killed by signal 9");
        othersStillServe();
    }

    @Test
    @Order(4)
    void aBrokenRequirementsFileAndAMissingInterpreterAreFailedReplicasThatSayWhy() throws Exception {
        assertThat(awaitReason("BrokenRequirements")).contains("installing its requirements.txt failed")
                .contains("No matching distribution found for tinylib==9.9");
        assertThat(awaitReason("NoInterpreter")).contains("Python interpreter /nonexistent/bin/python3 not found")
                .contains("python =");
    }

    private long pid() throws Exception {
        return awaitAnswer("/bad", "{}", a -> a.at("/result/pid").asLong() > 0).at("/result/pid").asLong();
    }

    private long awaitNewPid(long old) throws Exception {
        return awaitAnswer("/bad", "{}", a -> a.at("/result/pid").asLong() > 0 && a.at("/result/pid").asLong() != old)
                .at("/result/pid").asLong();
    }

    private void othersStillServe() throws Exception {
        assertThat(head.post("/tiny/old", "{}").statusCode()).isEqualTo(200);
        assertThat(head.isAlive()).isTrue();
    }

    /** The first 200 answer of {@code route} that satisfies {@code wanted}, polling (replicas restart with backoff). */
    private JsonNode awaitAnswer(String route, String body, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = head.post(route, body);
            last = answer.statusCode() + " " + answer.body();
            if (answer.statusCode() == 200 && wanted.test(RunningHead.json(answer))) {
                return RunningHead.json(answer);
            }
            Thread.sleep(250);
        }
        throw new AssertionError(route + " never answered as wanted; last: " + last + "\n" + head.adminStatus().toPrettyString());
    }

    private String awaitReason(String deployment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            JsonNode replica = replica(deployment);
            if (replica.path("state").asText().equals("FAILED") && !replica.path("reason").asText().isEmpty()) {
                return replica.path("reason").asText();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(deployment + " never FAILED with a reason:\n" + head.adminStatus().toPrettyString());
    }

    private void awaitRunning(String... deployments) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            JsonNode status = head.adminStatus();
            boolean all = true;
            for (String deployment : deployments) {
                boolean running = false;
                for (JsonNode r : status.path("replicas")) {
                    running |= r.path("deployment").asText().equals(deployment) && r.path("state").asText().equals("RUNNING");
                }
                all &= running;
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Python replicas not RUNNING within 300 s:\n" + head.adminStatus().toPrettyString());
    }

    private JsonNode replica(String deployment) throws Exception {
        for (JsonNode r : head.adminStatus().path("replicas")) {
            if (r.path("deployment").asText().equals(deployment)) {
                return r;
            }
        }
        throw new AssertionError("no " + deployment + " replica:\n" + head.adminStatus().toPrettyString());
    }
}
