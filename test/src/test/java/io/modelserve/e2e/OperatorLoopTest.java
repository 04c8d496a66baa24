package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's loop against a head started by {@code bin/modelserve start} as its own JVM: apply,
 * call the routes, scale, change config, see bad input refused while serving goes on. One head for
 * the class (starting one costs seconds); tests run in order and each leaves the conf it applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorLoopTest {
    static final String EXAMPLE = """
            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            replicas = %d
            cpu_cost = 0.25
            route = extract
            method = GET,POST
            config.greeting = %s
            """;
    static final String EMBEDDING = """
            [algopkg.TextEmbedding]
            backend = io.modelserve.examples.textembedding.TextEmbedding
            model = all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json
            route = embed
            max_batch_size = 4
            """;
    static final String LANG = """
            [algopkg.LangLegacy]
            backend = io.modelserve.examples.langlegacy.LangLegacy
            cpu_cost = 0.1
            route = lang/legacy
            method = GET

            [algopkg.LangModern]
            backend = io.modelserve.examples.langmodern.LangModern
            cpu_cost = 0.1
            route = lang/modern
            method = GET
            """;

    Path dir;
    RunningHead.Workspace workspace;
    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        workspace = RunningHead.workspace(dir);
        for (String name : List.of("Slow", "Idle", "Faulty")) {
            workspace.copyPlugin("AlgoExample", name);
        }
        workspace.writeConf("conf.ini", EXAMPLE.formatted(1, "hello") + EMBEDDING + LANG);
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private Cli.Result apply(String deployments) throws Exception {
        workspace.writeConf("conf.ini", deployments);
        return head.cli("apply", "conf.ini");
    }

    private static String infoOf(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = RunningHead.json(response);
        assertThat(body.path("status").asInt()).isEqualTo(1);
        return body.path("info").asText();
    }

    private List<JsonNode> replicasOf(String deployment) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (JsonNode replica : head.adminStatus().path("replicas")) {
            if (replica.path("deployment").asText().equals(deployment)) {
                lines.add(replica);
            }
        }
        return lines;
    }

    @Test
    @Order(1)
    void servesTheEmbeddingRouteWithSentenceSemantics() throws Exception {
        double[] hello = embedding("hello");
        double[] hiThere = embedding("hi there");
        double[] market = embedding("the stock market fell");
        assertThat(hello).hasSize(384);
        assertThat(cosine(hello, hiThere)).isGreaterThan(cosine(hello, market));
    }

    @Test
    @Order(2)
    void servesTheExampleWithTheEnvelope() throws Exception {
        HttpResponse<String> response = head.post("/extract?lang=en", "{\"text\":\"a good day\"}");
        JsonNode body = RunningHead.json(response);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body.path("info").asText()).startsWith("node-" + head.bind + "/AlgoExample-");
        assertThat(body.at("/result/params/text").asText()).isEqualTo("a good day");
        assertThat(body.at("/result/params/lang").asText()).isEqualTo("en");
        assertThat(body.at("/result/score").asDouble()).isPositive();
        assertThat(body.at("/result/models/0").asText()).isEqualTo("algoexample_lexicon_v1.txt");
    }

    @Test
    @Order(3)
    void twoPluginsWithConflictingLibraryVersionsServeSideBySide() throws Exception {
        JsonNode legacy = RunningHead.json(head.get("/lang/legacy?text=abc"));
        JsonNode modern = RunningHead.json(head.get("/lang/modern?text=abc"));
        assertThat(legacy.at("/result/version").asText()).isEqualTo("3.12.0");
        assertThat(legacy.at("/result/jar").asText()).isEqualTo("commons-lang3-3.12.0.jar");
        assertThat(modern.at("/result/version").asText()).isEqualTo("3.18.0");
        assertThat(modern.at("/result/jar").asText()).isEqualTo("commons-lang3-3.18.0.jar");
    }

    @Test
    @Order(4)
    void everyErrorIsJsonWithItsStatus() throws Exception {
        HttpResponse<String> notFound = head.get("/no-such-route");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(RunningHead.json(notFound).path("status").asInt()).isZero();

        HttpResponse<String> wrongMethod = head.send("DELETE", "/extract");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET, POST");

        HttpResponse<String> malformed = head.post("/embed", "{bad json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(RunningHead.json(malformed).path("error").asText()).contains("malformed JSON");

        HttpResponse<String> tooLarge = head.post("/extract", new byte[100_000], "application/octet-stream");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(RunningHead.json(tooLarge).path("error").asText()).contains("65536");

        HttpResponse<String> threw = head.post("/extract", "{\"raise\":\"the model refused\"}");
        assertThat(threw.statusCode()).isEqualTo(500);
        assertThat(RunningHead.json(threw).path("error").asText()).isEqualTo("the model refused");
        assertThat(threw.body()).doesNotContain("at io.modelserve");

        assertThat(head.get("/-/healthz").statusCode()).isEqualTo(200);
        assertThat(RunningHead.json(head.get("/-/routes")).has("/extract")).isTrue();
    }

    @Test
    @Order(5)
    void timeoutsAndMissingReplicasAnswer504And503() throws Exception {
        Cli.Result result = apply(EXAMPLE.formatted(1, "hello") + EMBEDDING + LANG + """
                [algopkg.Slow]
                backend = io.modelserve.examples.algoexample.AlgoExample
                cpu_cost = 0.1
                route = slow
                timeout_ms = 300

                [algopkg.Idle]
                backend = io.modelserve.examples.algoexample.AlgoExample
                replicas = 0
                route = idle
                """);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Slow: created", "Idle: created", "AlgoExample: unchanged");

        HttpResponse<String> slow = head.post("/slow", "{\"sleep_ms\": 3000}");
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(RunningHead.json(slow).path("error").asText()).contains("timeout_ms = 300");

        HttpResponse<String> idle = head.post("/idle", "{}");
        assertThat(idle.statusCode()).isEqualTo(503);
        assertThat(idle.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    @Order(6)
    void scalingUpAndDownTouchesOnlyTheScaledDeployment() throws Exception {
        String legacyBefore = replicasOf("LangLegacy").getFirst().path("id").asText();
        String exampleBefore = replicasOf("AlgoExample").getFirst().path("id").asText();

        Cli.Result up = apply(EXAMPLE.formatted(3, "hello") + EMBEDDING + LANG);
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(up.output()).contains("AlgoExample: scaled (replicas 1 -> 3)", "removed");
        assertThat(replicasOf("AlgoExample")).hasSize(3)
                .allSatisfy(r -> assertThat(r.path("state").asText()).isEqualTo("RUNNING"));
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 60 && served.size() < 3; i++) {
            served.add(infoOf(head.get("/extract")));
        }
        assertThat(served).hasSize(3);

        Cli.Result down = apply(EXAMPLE.formatted(1, "hello") + EMBEDDING + LANG);
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(replicasOf("AlgoExample")).hasSize(1);
        // Scaling down keeps the longest-running replica; other deployments are untouched.
        assertThat(replicasOf("AlgoExample").getFirst().path("id").asText()).isEqualTo(exampleBefore);
        assertThat(replicasOf("LangLegacy").getFirst().path("id").asText()).isEqualTo(legacyBefore);
        assertThat(head.get("/slow").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void configChangesReachRunningReplicasWithoutRestart() throws Exception {
        JsonNode before = RunningHead.json(head.get("/extract")).path("result");
        Cli.Result result = apply(EXAMPLE.formatted(1, "bonjour") + EMBEDDING + LANG);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("AlgoExample: updated in place (config)");
        JsonNode after = RunningHead.json(head.get("/extract")).path("result");
        assertThat(after.at("/config/greeting").asText()).isEqualTo("bonjour");
        assertThat(after.path("replica").asText()).isEqualTo(before.path("replica").asText());
        assertThat(after.path("initCount").asInt()).isEqualTo(1);
        assertThat(after.path("reconfigureCount").asInt()).isEqualTo(before.path("reconfigureCount").asInt() + 1);
    }

    @Test
    @Order(8)
    void aBrokenConfIsRejectedWholeAndServingGoesOn() throws Exception {
        Path bad = workspace.writeConf("bad.ini", EXAMPLE.formatted(1, "bonjour") + """
                [algopkg.Broken]
                backend = no.such.Clazz
                route = broken
                replicas = -2
                bogus_key = 1
                """);
        Cli.Result result = head.cli("apply", bad.getFileName().toString());
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("bad.ini:", "[algopkg.Broken] replicas", "bogus_key", "rejected; nothing changed");
        // Nothing changed: TextEmbedding (absent from bad.ini) still serves, Broken was never created.
        assertThat(head.post("/embed", "{\"text\":\"still here\"}").statusCode()).isEqualTo(200);
        assertThat(head.get("/broken").statusCode()).isEqualTo(404);
        assertThat(head.adminStatus().path("deployments")).hasSize(4);
    }

    @Test
    @Order(9)
    void aPluginWhoseInitThrowsIsFailedWithItsMessageAndContained() throws Exception {
        Cli.Result result = apply(EXAMPLE.formatted(1, "bonjour") + EMBEDDING + LANG + """
                [algopkg.Faulty]
                backend = io.modelserve.examples.algoexample.AlgoExample
                cpu_cost = 0.1
                route = faulty
                config.fail_init = weights file is corrupt
                """);
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("FAILED", "init failed: weights file is corrupt");
        Cli.Result status = head.cli("status");
        assertThat(status.output()).containsPattern("Faulty-\\w+ .* FAILED .*weights file is corrupt");
        assertThat(head.post("/faulty", "{}").statusCode()).isEqualTo(503);
        assertThat(head.get("/extract").statusCode()).isEqualTo(200);

        Cli.Result fixed = apply(EXAMPLE.formatted(1, "bonjour") + EMBEDDING + LANG);
        assertThat(fixed.exitCode()).as(fixed.output()).isZero();
        assertThat(fixed.output()).contains("Faulty: removed");
    }

    @Test
    @Order(10)
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        workspace.writeConf("next.ini", EXAMPLE.formatted(2, "bonjour") + EMBEDDING + LANG);
        Cli.Result result = head.cli("apply", "next.ini", "--dry-run");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("dry run", "AlgoExample: scaled (replicas 1 -> 2)");
        assertThat(replicasOf("AlgoExample")).hasSize(1);
    }

    @Test
    @Order(11)
    void replacingAJarUnderLoadFailsNoRequest() throws Exception {
        Cli.Result twoReplicas = apply(EXAMPLE.formatted(2, "bonjour") + EMBEDDING + LANG);
        assertThat(twoReplicas.exitCode()).as(twoReplicas.output()).isZero();
        Set<String> before = new HashSet<>();
        replicasOf("AlgoExample").forEach(r -> before.add(r.path("id").asText()));

        // A rebuilt jar: same classes, different bytes (as a new build would give), copied over the old one.
        PluginJars.rebuild(dir.resolve("algopkg/AlgoExample.jar"), "build-" + System.nanoTime());
        try (LoadLoop load = LoadLoop.start(head, "/extract", "{\"text\":\"good\"}", 4)) {
            Thread.sleep(300);
            Cli.Result replaced = head.cli("apply", "conf.ini");
            assertThat(replaced.exitCode()).as(replaced.output()).isZero();
            assertThat(replaced.output()).contains("AlgoExample: replaced (plugin jar changed");
            Thread.sleep(300);
            LoadLoop.Tally tally = load.stop();
            System.out.println("jar replacement under load: " + tally);
            assertThat(tally.failures()).as(tally.toString()).isEmpty();
            assertThat(tally.ok()).isGreaterThan(20);
        }
        Set<String> after = new HashSet<>();
        replicasOf("AlgoExample").forEach(r -> after.add(r.path("id").asText()));
        assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
    }

    @Test
    @Order(12)
    void aHungReplicaIsReplacedAndTheQueueServesAsync() throws Exception {
        Cli.Result result = apply(EXAMPLE.formatted(1, "bonjour") + EMBEDDING + LANG + """
                [algopkg.Slow]
                backend = io.modelserve.examples.algoexample.AlgoExample
                cpu_cost = 0.1
                replicas = 2
                route = slow
                timeout_ms = 500
                """);
        assertThat(result.exitCode()).as(result.output()).isZero();
        HttpResponse<String> hung = head.post("/slow", "{\"sleep_ms\": 60000}");
        assertThat(hung.statusCode()).isEqualTo(504);
        // The other replica keeps answering while the hung one is replaced.
        assertThat(head.post("/slow", "{}").statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        boolean replaced = false;
        while (!replaced && System.nanoTime() < deadline) {
            for (JsonNode r : replicasOf("Slow")) {
                replaced |= r.path("restarts").asInt() >= 1 && r.path("state").asText().equals("RUNNING")
                        && r.path("reason").asText().contains("did not return within 5000 ms");
            }
            Thread.sleep(200);
        }
        assertThat(replaced).as(head.adminStatus().toPrettyString()).isTrue();

        // The async queue: 202 with an id, then the route's envelope once done.
        HttpResponse<String> accepted = head.post("/-/queue/extract", "{\"text\":\"a good day\"}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = RunningHead.json(accepted).path("id").asText();
        HttpResponse<String> done;
        do {
            done = head.get("/-/result/" + id);
        } while (done.statusCode() == 202 && System.nanoTime() < deadline);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(RunningHead.json(done).at("/result/score").asDouble()).isPositive();
        assertThat(head.get("/-/result/unknown-id").statusCode()).isEqualTo(404);
        assertThat(head.post("/-/queue/no-such-route", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(20)
    void stopShutsTheHeadDownCleanly() throws Exception {
        Cli.Result result = head.cli("stop");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(head.awaitExit(30)).isZero();
        assertThat(Files.exists(dir.resolve(".modelserve/head"))).isFalse();
    }

    private double[] embedding(String text) throws Exception {
        JsonNode body = RunningHead.json(head.post("/embed", RunningHead.JSON.writeValueAsString(java.util.Map.of("text", text))));
        JsonNode vector = body.at("/result/embedding");
        double[] values = new double[vector.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = vector.get(i).asDouble();
        }
        return values;
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
