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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admin API's rules against real heads, with an admin token: a cross-site text/plain apply is
 * refused, a same-origin JSON apply with the token works, and a standby answers with the leader's
 * address, which {@code bin/modelserve apply} follows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminRulesE2ETest {
    static final String TOKEN = "e2e#tok;" + Long.toHexString(System.nanoTime());
    static final String ECHO = """
            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.1
            route = extract
            method = GET,POST
            %s
            """;

    Path dir;
    RunningHead.Workspace workspace;
    RunningHead head;
    RunningHead standby;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        workspace = RunningHead.workspace(dir);
        Path conf = workspace.writeConf("conf.ini", ECHO.formatted(""));
        Files.writeString(conf, Files.readString(conf).replace("[MODEL SERVE]\n", "[MODEL SERVE]\nadmin_token = " + TOKEN + "\n"));
        head = workspace.start("conf.ini", "--cpus", "2");
        String standbyBind = workspace.bind().substring(0, workspace.bind().lastIndexOf('.') + 1)
                + (Integer.parseInt(workspace.bind().substring(workspace.bind().lastIndexOf('.') + 1)) % 200 + 3);
        standby = new RunningHead.Workspace(dir, standbyBind, workspace.port(), workspace.dashboardPort(), workspace.header(),
                workspace.clusterName()).start("conf.ini", "--standby", "--join", workspace.bind(), "--cpus", "0");
    }

    @AfterAll
    void stop() throws Exception {
        for (RunningHead h : new RunningHead[] {standby, head}) {
            if (h != null && h.isAlive()) {
                post(h.bind, "/api/stop", "{}", "application/json", null, TOKEN);
                h.awaitExit(60);
                h.close();
            }
        }
    }

    private HttpResponse<String> post(String bind, String path, String body, String type, String origin, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + bind + ":" + workspace.dashboardPort() + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        // A client per request: a shared JDK client was seen sending an earlier request's Authorization again.
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long generation() throws Exception {
        return RunningHead.json(http.send(HttpRequest.newBuilder(URI.create("http://" + workspace.bind() + ":"
                + workspace.dashboardPort() + "/api/config")).build(), HttpResponse.BodyHandlers.ofString())).path("generation").asLong();
    }

    private String applyBody(String extra) throws Exception {
        String text = Files.readString(dir.resolve("conf.ini")).replace("cpu_cost = 0.1\n", "cpu_cost = 0.1\n" + extra + "\n");
        return RunningHead.JSON.writeValueAsString(Map.of("path", dir.resolve("conf.ini").toString(), "text", text, "dryRun", false));
    }

    @Test
    void aCrossSiteTextPlainApplyIsRefusedWithATokenAndASameOriginJsonOneWithTheTokenWorks() throws Exception {
        long before = generation();
        HttpResponse<String> crossSite = post(head.bind, "/api/apply", applyBody("timeout_ms = 11000"), "text/plain",
                "http://evil.example", TOKEN);
        HttpResponse<String> plain = post(head.bind, "/api/apply", applyBody("timeout_ms = 11000"), "text/plain", null, TOKEN);
        assertThat(crossSite.statusCode()).as(crossSite.body()).isEqualTo(403);
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(415);
        assertThat(generation()).isEqualTo(before);

        String own = "http://" + head.bind + ":" + workspace.dashboardPort();
        HttpResponse<String> sameOrigin = post(head.bind, "/api/apply", applyBody("timeout_ms = 12000"), "application/json", own, TOKEN);
        assertThat(sameOrigin.statusCode()).as(sameOrigin.body()).isEqualTo(200);
        assertThat(RunningHead.json(sameOrigin).path("generation").asLong()).isEqualTo(before + 1);
        String config = http.send(HttpRequest.newBuilder(URI.create(own + "/api/config")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(config).contains("admin_token = <hidden>").doesNotContain(TOKEN.substring(4)).doesNotContain("pbkdf2");
    }

    @Test
    void aStandbyPointsAtTheLeaderAndTheCliFollows() throws Exception {
        awaitStandbyInCluster();
        HttpResponse<String> answer = post(standby.bind, "/api/apply", applyBody("timeout_ms = 13000"), "application/json", null, TOKEN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(307);
        String leader = head.bind + ":" + workspace.dashboardPort();
        assertThat(answer.headers().firstValue("Location")).contains("http://" + leader + "/api/apply");
        assertThat(RunningHead.json(answer).path("leader").asText()).isEqualTo(leader);

        long before = generation();
        Files.writeString(dir.resolve("via-standby.ini"), Files.readString(dir.resolve("conf.ini"))
                .replace("cpu_cost = 0.1\n", "cpu_cost = 0.1\ntimeout_ms = 14000\n"));
        ProcessBuilder apply = Cli.command(dir, "apply", "via-standby.ini", "--head", standby.bind + ":" + workspace.dashboardPort());
        apply.environment().put("MODELSERVE_TOKEN", TOKEN);
        Cli.Result applied = Cli.run(apply, 180);

        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("sending to the leader at http://" + leader);
        assertThat(generation()).isEqualTo(before + 1);
    }

    private void awaitStandbyInCluster() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode status = head.adminStatusAt(standby.bind);
            if (status.path("leader").asText().equals("node-" + head.bind)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the standby does not see the leader");
    }
}
