package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.controller.dashboard.PrometheusText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Metrics and logs of a head started by {@code bin/modelserve start}: the Prometheus text at
 * {@code /-/metrics} after real traffic (counted exactly, accepted by promtool), and each replica's
 * log in its own file, read back by {@code bin/modelserve logs}, once and following.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsAndLogsTest {
    static final String EXAMPLE = """
            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.25
            route = extract
            method = POST
            config.greeting = %s
            """;
    static final String FAULTY = """
            [algopkg.Faulty]
            backend = io.modelserve.examples.algoexample.AlgoExample
            cpu_cost = 0.1
            route = faulty
            config.fail_init = weights file is corrupt
            """;

    RunningHead.Workspace workspace;
    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        workspace.copyPlugin("AlgoExample", "Faulty");
        workspace.writeConf("conf.ini", EXAMPLE.formatted("hello"));
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private List<PrometheusText.Sample> scrape() throws Exception {
        var response = head.get("/-/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return PrometheusText.parse(response.body());
    }

    private static double sum(List<PrometheusText.Sample> samples, String name, Predicate<PrometheusText.Sample> which) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(which).mapToDouble(PrometheusText.Sample::value).sum();
    }

    @Test
    @Order(1)
    void requestCountsMatchWhatWasSentByStatus() throws Exception {
        for (int i = 0; i < 25; i++) {
            assertThat(head.post("/extract", "{\"text\":\"a good day " + i + "\"}").statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(head.send("DELETE", "/extract").statusCode()).isEqualTo(405);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(head.post("/extract", "{\"text\": broken").statusCode()).isEqualTo(400);
        }
        List<PrometheusText.Sample> samples = scrape();
        String count = "modelserve_requests_seconds_count";
        Predicate<PrometheusText.Sample> example = s -> s.label("deployment").equals("AlgoExample");
        assertThat(sum(samples, count, example.and(s -> s.label("status").equals("200")))).isEqualTo(25);
        assertThat(sum(samples, count, example.and(s -> s.label("status").equals("405")))).isEqualTo(4);
        assertThat(sum(samples, count, example.and(s -> s.label("status").equals("400")))).isEqualTo(3);
        assertThat(sum(samples, "modelserve_requests_seconds_bucket", example.and(s -> s.label("le").equals("+Inf"))))
                .as("the histogram's +Inf bucket holds every request").isEqualTo(32);
        assertThat(samples).filteredOn(s -> s.name().equals(count) && s.label("status").equals("200"))
                .allSatisfy(s -> {
                    assertThat(s.label("replica")).startsWith("AlgoExample-");
                    assertThat(s.label("node")).isEqualTo("node-" + head.bind);
                });
        List<Double> buckets = samples.stream().filter(s -> s.name().equals("modelserve_requests_seconds_bucket"))
                .filter(example.and(s -> s.label("status").equals("200"))).map(PrometheusText.Sample::value).toList();
        assertThat(buckets).as("a cumulative latency histogram").hasSizeGreaterThan(10).isSorted().last().isEqualTo(25.0);
    }

    @Test
    @Order(2)
    void exportsReplicaControllerAndJvmMetrics() throws Exception {
        List<PrometheusText.Sample> samples = awaitSamples(s -> s.name().equals("modelserve_replicas")
                && s.label("deployment").equals("AlgoExample") && s.label("state").equals("RUNNING") && s.value() == 1);
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        assertThat(names).contains("modelserve_requests_seconds_bucket", "modelserve_requests_seconds_sum",
                "modelserve_requests_seconds_max", "modelserve_replica_queue_depth", "modelserve_replica_inflight",
                "modelserve_batch_size_count", "modelserve_replicas", "modelserve_replica_restarts_total",
                "modelserve_deployment_replicas_desired", "modelserve_deployment_replicas_ready",
                "modelserve_controller_pending_replicas", "modelserve_controller_reconciles_total",
                "modelserve_controller_reconcile_duration_seconds_count", "jvm_memory_used_bytes", "jvm_threads_live_threads",
                "process_cpu_usage", "process_uptime_seconds");
        assertThat(samples).filteredOn(s -> s.name().equals("modelserve_replica_queue_depth"))
                .singleElement().satisfies(s -> {
                    assertThat(s.label("deployment")).isEqualTo("AlgoExample");
                    assertThat(s.label("replica")).startsWith("AlgoExample-");
                    assertThat(s.value()).isZero();
                });
        assertThat(sum(samples, "modelserve_controller_pending_replicas", s -> true)).isZero();
        System.out.println("metric names exported: " + names);
    }

    @Test
    @Order(3)
    void promtoolAcceptsTheScrape() throws Exception {
        Path promtool = Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(promtool != null,
                "promtool is not installed (Debian package prometheus; .ci/run installs it): skipping its check");
        String text = head.get("/-/metrics").body();
        Path scrape = workspace.dir().resolve("metrics.prom");
        Files.writeString(scrape, text);
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(scrape.toFile())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("promtool check metrics < %s:%n%s", scrape, output).isZero();
    }

    @Test
    @Order(4)
    void aFailingReplicaIsCountedAndItsLogHasTheCause() throws Exception {
        workspace.writeConf("conf.ini", EXAMPLE.formatted("hello") + FAULTY);
        Cli.Result apply = head.cli("apply", "conf.ini");
        assertThat(apply.exitCode()).as(apply.output()).isNotZero();

        List<PrometheusText.Sample> samples = awaitSamples(s -> s.name().equals("modelserve_replicas")
                && s.label("deployment").equals("Faulty") && s.label("state").equals("FAILED") && s.value() == 1);
        assertThat(samples).anyMatch(s -> s.name().equals("modelserve_replica_restarts_total") && s.label("deployment").equals("Faulty"));

        Path replicas = workspace.dir().resolve("logs/replicas");
        try (Stream<Path> files = Files.list(replicas)) {
            Path faulty = files.filter(f -> f.getFileName().toString().startsWith("Faulty-")).findFirst().orElseThrow();
            assertThat(Files.readString(faulty)).contains("init failed: weights file is corrupt",
                    "java.lang.IllegalStateException: weights file is corrupt", "AlgoExample.init(");
        }
        Cli.Result logs = head.cli("logs", "Faulty", "--lines", "50");
        assertThat(logs.exitCode()).as(logs.output()).isZero();
        assertThat(logs.output()).containsPattern("\\[Faulty-\\w+] .*init failed: weights file is corrupt")
                .containsPattern("\\[Faulty-\\w+] java.lang.IllegalStateException: weights file is corrupt")
                .doesNotContain("AlgoExample-");

        Cli.Result unknown = head.cli("logs", "NoSuchDeployment");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.output()).contains("no deployment NoSuchDeployment");
    }

    @Test
    @Order(5)
    void followPrintsNewLinesOnce() throws Exception {
        Process follow = Cli.command(workspace.dir(), "logs", "AlgoExample", "--follow", "--lines", "1",
                "--head", head.bind + ":" + head.dashboardPort).start();
        StringBuffer output = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                byte[] buffer = new byte[4096];
                int n;
                while ((n = follow.getInputStream().read(buffer)) > 0) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // The process was stopped.
            }
        });
        try {
            awaitOutput(output, "ready on", follow); // the tail of one line: the follower is reading
            // A config change is applied on the replica's worker thread, which logs it to the replica's file.
            workspace.writeConf("conf.ini", EXAMPLE.formatted("bonjour"));
            Cli.Result apply = head.cli("apply", "conf.ini");
            assertThat(apply.exitCode()).as(apply.output()).isZero();
            awaitOutput(output, "reconfigured", follow);
            assertThat(output.toString()).as("logs --follow output").containsPattern("\\[AlgoExample-\\w+] .*reconfigured");
            String once = output.toString();
            assertThat(once.indexOf("ready on")).as("each line once").isEqualTo(once.lastIndexOf("ready on"));
            assertThat(once.indexOf("reconfigured")).isEqualTo(once.lastIndexOf("reconfigured"));
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
            reader.join(5_000);
        }
    }

    private static void awaitOutput(StringBuffer output, String text, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!output.toString().contains(text) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(100);
        }
        assertThat(output.toString()).as("logs --follow output").contains(text);
    }

    /** Scrapes until one sample matches: the cluster gauges are refreshed every 2 s. */
    private List<PrometheusText.Sample> awaitSamples(Predicate<PrometheusText.Sample> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<PrometheusText.Sample> samples = scrape();
        while (samples.stream().noneMatch(wanted)) {
            assertThat(System.nanoTime()).as("no matching sample within 60 s in:%n%s", samples).isLessThan(deadline);
            Thread.sleep(250);
            samples = scrape();
        }
        return samples;
    }
}
