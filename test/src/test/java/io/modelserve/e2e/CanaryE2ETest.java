package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A canary section {@code [algopkg.Noop@v2]} next to {@code [algopkg.Noop]}, through a head started by
 * {@code bin/modelserve start}: the weighted split, pinning by header, a live weight change and the
 * canary's removal under load. The canary's plugin is algopkg/Noop@v2.jar, a copy of Noop.jar; which
 * version answered shows in the envelope's info ({@code <node>/Noop@v2-<id>}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CanaryE2ETest {
    private static final String MAIN = """
            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.1
            route = noop
            max_queued = 1000
            """;
    private static final String CANARY = """
            [algopkg.Noop@v2]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.1
            max_queued = 1000
            traffic = %d
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    RunningHead.Workspace workspace;
    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        workspace.copyPlugin("Noop", "Noop@v2");
        workspace.writeConf("conf.ini", MAIN + CANARY.formatted(10));
        head = workspace.start("conf.ini");
        head.awaitReady(List.of("Noop", "Noop@v2"), true);
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

    private HttpResponse<String> call(String version) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + head.bind + ":" + head.port + "/noop"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}"));
        if (version != null) {
            request.header("X-Modelserve-Version", version);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The deployment that answered: the replica id in info, less its "-<suffix>". */
    private static String answeredBy(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String info = RunningHead.json(response).path("info").asText();
        String replica = info.substring(info.indexOf('/') + 1);
        return replica.substring(0, replica.lastIndexOf('-'));
    }

    private Map<String, String> replicaIds() throws Exception {
        Map<String, String> ids = new ConcurrentHashMap<>();
        for (JsonNode replica : head.adminStatus().path("replicas")) {
            ids.put(replica.path("id").asText(), replica.path("deployment").asText());
        }
        return ids;
    }


    @Test
    @Order(1)
    void ninetyTenSplitHoldsOverTwoThousandRequests() throws Exception {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        List<Throwable> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (next.getAndIncrement() < 2_000) {
                    try {
                        counts.computeIfAbsent(answeredBy(call(null)), k -> new AtomicInteger()).incrementAndGet();
                    } catch (Throwable e) {
                        problems.add(e);
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        assertThat(problems).isEmpty();
        assertThat(counts.keySet()).containsExactlyInAnyOrder("Noop", "Noop@v2");
        int canary = counts.get("Noop@v2").get();
        assertThat(canary + counts.get("Noop").get()).isEqualTo(2_000);
        // 10% +- 3 points; the binomial's standard deviation here is 0.67 points.
        assertThat(canary).as("requests served by the canary").isBetween(140, 260);
    }

    @Test
    @Order(2)
    void aHeaderPinsARequestToAVersion() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(answeredBy(call("v2"))).isEqualTo("Noop@v2");
            assertThat(answeredBy(call("main"))).isEqualTo("Noop");
        }
        HttpResponse<String> unknown = call("v7");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(RunningHead.json(unknown).path("status").asInt()).isZero();
        assertThat(RunningHead.json(unknown).path("error").asText()).contains("no version v7 of /noop")
                .contains("versions: main, v2");
    }

    @Test
    @Order(3)
    void statusAndRoutesShowTheSplit() throws Exception {
        Cli.Result status = head.cli("status");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).containsPattern("deployment Noop POST /noop: 1/1 ready \\(version \\w+\\), 90% of traffic")
                .containsPattern("deployment Noop@v2 POST /noop: 1/1 ready \\(version \\w+\\), 10% of traffic");
        JsonNode routes = RunningHead.json(head.get("/-/routes")).path("/noop");
        assertThat(routes.path("traffic").path("Noop").asInt()).isEqualTo(90);
        assertThat(routes.path("traffic").path("Noop@v2").asInt()).isEqualTo(10);
    }

    @Test
    @Order(4)
    void weightsChangeLiveWithoutRestartingAReplica() throws Exception {
        Map<String, String> before = replicaIds();

        Cli.Result applied = apply(MAIN + CANARY.formatted(60));
        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("Noop@v2: updated in place (traffic 10% -> 60%)", "Noop: unchanged");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (RunningHead.json(head.get("/-/routes")).at("/~1noop/traffic/Noop@v2").asInt() != 60
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(RunningHead.json(head.get("/-/routes")).at("/~1noop/traffic/Noop").asInt()).isEqualTo(40);
        assertThat(replicaIds()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void removingTheCanaryUnderLoadFailsNoRequest() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger byCanary = new AtomicInteger();
        LoadLoop load = LoadLoop.start(() -> {
            HttpResponse<String> response = call(null);
            if (response.statusCode() == 200) {
                answered.incrementAndGet();
                if (answeredBy(response).equals("Noop@v2")) {
                    byCanary.incrementAndGet();
                }
            }
            return response;
        }, 4);
        try {
            // Both versions under load before the change.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (byCanary.get() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(byCanary.get()).isGreaterThanOrEqualTo(20);
            Cli.Result applied = apply(MAIN);
            assertThat(applied.exitCode()).as(applied.output()).isZero();
            assertThat(applied.output()).contains("Noop@v2: removed");
            awaitGone("Noop@v2");
            // And a while after the last canary replica left.
            int before = answered.get();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered.get() < before + 200 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            LoadLoop.Tally tally = load.stop();
            assertThat(tally.failures()).as(tally.toString()).isEmpty();
            assertThat(tally.ok()).isGreaterThan(200);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(answeredBy(call(null))).isEqualTo("Noop");
        }
        assertThat(call("v2").statusCode()).isEqualTo(404);
    }

    private void awaitGone(String deployment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!replicaIds().containsValue(deployment)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(deployment + " still has replicas after 60 s: " + head.adminStatus());
    }
}
