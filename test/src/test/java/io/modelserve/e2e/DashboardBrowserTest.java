package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard of a head started by {@code bin/modelserve start}, in real headless Chromium (the
 * Debian packages chromium and chromium-driver, which .ci/run installs), every page of it: the
 * overview lists deployments with the health the head judged and nodes with what they use; the
 * deployment page's throughput axis follows a ~50 req/s load; a deployment answering 500s shows
 * DEGRADED with its error rate; an apply and the replica failure it causes appear in the timeline in
 * that order; the node and events pages, the log search, and the configuration page's dry run and
 * token check work. Screenshots go to test/target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String TOKEN = "e2e-dashboard-token";
    static final String EXAMPLE = """
            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.25
            route = extract
            method = GET,POST
            """;
    static final String FAULTY = """
            [algopkg.Faulty]
            backend = io.modelserve.examples.algoexample.AlgoExample
            cpu_cost = 0.1
            route = faulty
            config.fail_init = weights file is corrupt
            """;
    /** Answers 500 to {"action":"throw"}: in process, it needs no isolation to fail its requests. */
    static final String ERRORS = """
            [algopkg.Misbehaving]
            backend = io.modelserve.examples.misbehaving.Misbehaving
            cpu_cost = 0.1
            route = bad
            """;

    RunningHead.Workspace workspace;
    RunningHead head;
    WebDriver browser;
    Path screenshots;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startHeadAndBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromedriver are not installed (Debian packages chromium, chromium-driver; .ci/run installs them)");
        workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        workspace.copyPlugin("AlgoExample", "Faulty");
        Assumptions.assumeTrue(Files.isRegularFile(workspace.dir().resolve("algopkg/Misbehaving.jar")), "examples built");
        // Still in the [MODEL SERVE] section the header opens.
        workspace.writeConf("conf.ini", "admin_token = " + TOKEN + "\naccess_log = true\n\n" + EXAMPLE);
        // One simulated GPU: the node page's GPU table is drawn without hardware (placement only, no readings).
        head = workspace.start("conf.ini", "--cpus", "8", "--gpus-simulated", "1");
        screenshots = Cli.ROOT.resolve("test/target/screenshots");
        Files.createDirectories(screenshots);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1400,1100",
                "--user-data-dir=" + Files.createTempDirectory(workspace.dir(), "chromium-profile-"));
        // Naming the driver executable keeps Selenium Manager from looking for (or downloading) one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(workspace.dir().resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (head != null) {
            // RunningHead.close() stops through the CLI without a token; this head needs one.
            admin("POST", "/api/stop", "{}", TOKEN);
            head.awaitExit(60);
            head.close();
        }
    }

    private String dashboard() {
        return "http://" + head.bind + ":" + head.dashboardPort + "/";
    }

    private HttpResponse<String> admin(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + head.bind + ":" + head.dashboardPort + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until the first element matching {@code by} satisfies {@code condition}; returns its text
     * then. The page redraws every 2 s, so elements are looked up afresh on every try.
     */
    private String await(By by, java.util.function.Predicate<WebElement> condition, String what) {
        return new WebDriverWait(browser, Duration.ofSeconds(60)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(driver -> {
                    List<WebElement> found = driver.findElements(by);
                    return found.isEmpty() || !condition.test(found.getFirst()) ? null : found.getFirst().getText();
                });
    }

    private Path screenshot(String name) throws Exception {
        Path file = screenshots.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        System.out.println("screenshot: " + file);
        return file;
    }

    @Test
    @Order(1)
    void overviewShowsHealthNodesWithTheirUseAndTheLeader() throws Exception {
        browser.get(dashboard());
        String row = await(By.id("deployment-AlgoExample"), r -> "HEALTHY".equals(r.getAttribute("data-state")),
                "AlgoExample shown HEALTHY");
        assertThat(row).contains("AlgoExample", "/extract", "1 / 1", "1 of 1 replicas ready");
        assertThat(browser.getCurrentUrl()).endsWith("/dashboard/");
        String node = await(By.cssSelector("#nodes tr[data-node]"), n -> n.getText().contains("cores ("), "the node's CPU and heap use");
        assertThat(node).contains("node-" + head.bind, "0.25 / 8", "MiB");
        assertThat(await(By.id("leader"), l -> !l.getText().isEmpty(), "the leader")).isEqualTo("node-" + head.bind);
        await(By.cssSelector("#events tr[data-kind=LEADER]"), e -> e.getText().contains("leads the controller"),
                "the timeline says who leads");
        await(By.cssSelector("#cluster-throughput .u-legend"), e -> true, "the cluster throughput chart (uPlot) is drawn");
        assertThat(Files.size(screenshot("overview"))).isPositive();
    }

    @Test
    @Order(2)
    void theThroughputAxisFollowsA50RequestPerSecondLoad() throws Exception {
        browser.get(dashboard() + "dashboard/#/deployment/AlgoExample");
        await(By.id("chart-throughput"), c -> !"0".equals(c.getAttribute("data-points")), "the throughput chart has points");
        assertThat(browser.findElement(By.id("chart-throughput")).getAttribute("data-max")).as("no traffic yet").isEqualTo("0");

        // Five clients, one request each per 100 ms: about 50 requests a second.
        try (LoadLoop load = LoadLoop.paced(() -> head.post("/extract", "{\"text\":\"a good day\"}"), 5, 100)) {
            await(By.id("chart-throughput"), c -> Double.parseDouble(c.getAttribute("data-max")) >= 25,
                    "the throughput chart shows the load");
            WebElement chart = browser.findElement(By.id("chart-throughput"));
            double max = Double.parseDouble(chart.getAttribute("data-max"));
            double axis = Double.parseDouble(chart.getAttribute("data-ymax"));
            System.out.printf("throughput peak %.1f req/s, y axis to %.0f, line at %s of the axis%n", max, axis,
                    chart.getAttribute("data-peak"));
            assertThat(axis).as("the axis follows the data").isGreaterThanOrEqualTo(max).isLessThan(max * 3);
            assertThat(Double.parseDouble(chart.getAttribute("data-peak"))).as("the line is well above the floor")
                    .isGreaterThan(0.3);
            await(By.id("chart-latency"), c -> Double.parseDouble(c.getAttribute("data-max")) > 0,
                    "the latency chart shows p50/p99");
            await(By.id("chart-split"), c -> c.getAttribute("data-last").matches(".*computeMs=[0-9].*"),
                    "the queue wait vs compute chart shows where the time went");
            String request = await(By.cssSelector("#requests tr[data-status='200']"), r -> r.getText().contains("/extract"),
                    "the request log shows the load's requests");
            assertThat(request).contains("node-" + head.bind, "rest", "AlgoExample-");
            String hover = hoverValue("chart-throughput");
            assertThat(hover).as("hovering shows values with their unit").contains("/s");
            screenshot("deployment-under-load");
            LoadLoop.Tally tally = load.stop();
            assertThat(tally.failures()).isEmpty();
            assertThat(tally.ok()).isPositive();
        }
        String replica = await(By.cssSelector("#replicas tr[data-replica]"), r -> "RUNNING".equals(r.getAttribute("data-state")),
                "the replica is listed RUNNING");
        assertThat(replica).contains("AlgoExample-", "node-" + head.bind, "cpu", "RUNNING");
        await(By.cssSelector("#logs pre.log"), pre -> pre.getText().contains("ready on node-" + head.bind),
                "the replica's log tail is shown");
    }

    @Test
    @Order(3)
    void aDeploymentAnswering500sIsDegradedWithItsErrorRate() throws Exception {
        applyAdding(ERRORS);
        browser.get(dashboard() + "dashboard/#/");
        await(By.id("deployment-Misbehaving"), r -> "HEALTHY".equals(r.getAttribute("data-state")), "Misbehaving starts HEALTHY");
        try (LoadLoop load = LoadLoop.paced(() -> head.post("/bad", "{\"action\":\"throw\"}"), 2, 100)) {
            String row = await(By.id("deployment-Misbehaving"), r -> "DEGRADED".equals(r.getAttribute("data-state")),
                    "Misbehaving shown DEGRADED");
            assertThat(row).contains("100.0%", "of answers were 5xx in the last 30 s");
            await(By.id("deployment-AlgoExample"), r -> "HEALTHY".equals(r.getAttribute("data-state")), "AlgoExample still HEALTHY");
            screenshot("overview-degraded");
            browser.get(dashboard() + "dashboard/#/deployment/Misbehaving");
            await(By.id("deployment-error-rate"), e -> e.getText().endsWith("%") && !e.getText().startsWith("0"), "the error rate");
            await(By.id("chart-throughput"), c -> c.getAttribute("data-last").matches(".*serverErrorRps=[1-9].*"),
                    "the 5xx line of the throughput chart");
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("request-status"))).selectByValue("5xx");
            String failed = await(By.cssSelector("#requests tr[data-status]"), r -> "500".equals(r.getAttribute("data-status")),
                    "the request log filtered to 5xx shows the 500s");
            assertThat(failed).as("the replica whose plugin threw").contains("/bad", "Misbehaving-");
            // The table is redrawn every 2 s: its rows are read in one script, never one element at a time.
            @SuppressWarnings("unchecked")
            List<String> statuses = (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "return [...document.querySelectorAll('#requests tr[data-status]')].map(r => r.dataset.status)");
            assertThat(statuses).isNotEmpty().allSatisfy(status -> assertThat(status).startsWith("5"));
            screenshot("deployment-degraded");
            assertThat(load.stop().ok()).as("every answer was an error").isZero();
        }
    }

    @Test
    @Order(4)
    void anApplyAndTheReplicaFailureItCausesAppearInTheTimelineInOrder() throws Exception {
        long generation = applyAdding(FAULTY);
        browser.get(dashboard() + "dashboard/#/");
        String row = await(By.id("deployment-Faulty"), r -> "FAILING".equals(r.getAttribute("data-state")),
                "Faulty shown FAILING");
        assertThat(row).contains("init failed: weights file is corrupt");
        await(By.cssSelector("#events tr[data-kind=REPLICA_FAILED]"), r -> r.getText().contains("Faulty-"), "the failure in the timeline");
        screenshot("overview-failing");

        browser.get(dashboard() + "dashboard/#/deployment/Faulty");
        await(By.id("deployment-error"), e -> e.getText().contains("weights file is corrupt"), "the deployment page shows the error");
        await(By.cssSelector("#deployment-events tr[data-kind=REPLICA_FAILED]"), r -> true, "the deployment's timeline");
        List<WebElement> rows = browser.findElements(By.cssSelector("#deployment-events tr[data-seq]"));
        long applied = seqOf(rows, "APPLY", "generation " + generation + " applied");
        long failed = seqOf(rows, "REPLICA_FAILED", "weights file is corrupt");
        assertThat(applied).as("the apply comes before the failure it caused").isLessThan(failed);
        await(By.cssSelector("#logs pre.log"), pre -> pre.getText().contains("java.lang.IllegalStateException: weights file is corrupt"),
                "the replica's log shows the exception");

        // Search: ERROR and above, containing the message; the INFO lines are left out.
        browser.findElement(By.id("log-text")).sendKeys("corrupt");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("log-level"))).selectByValue("ERROR");
        String found = await(By.cssSelector("#logs pre.log"), pre -> pre.getText().contains("corrupt") && !pre.getText().contains(" INFO "),
                "the search keeps the error entries only");
        assertThat(found).contains("ERROR");
        String download = browser.findElement(By.id("log-download")).getAttribute("href");
        HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create(download)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(text.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"Faulty-logs.txt\"");
        assertThat(text.body()).contains("[Faulty-", "weights file is corrupt").doesNotContain(" INFO ");
        screenshot("deployment-failing");

        browser.get(dashboard() + "dashboard/#/events");
        await(By.cssSelector("#events tr[data-kind=APPLY]"), r -> r.getText().contains("generation " + generation), "the events page");
        screenshot("events");
    }

    @Test
    @Order(5)
    void theNodePageShowsItsUseAndItsReplicas() throws Exception {
        browser.get(dashboard() + "dashboard/#/node/node-" + head.bind);
        String detail = await(By.id("node-cpu-actual"), e -> e.getText().contains("cores"), "the node's measured CPU");
        assertThat(detail).startsWith("CPU used");
        assertThat(await(By.id("node-replicas"), t -> t.getText().contains("Faulty-"), "its replicas"))
                .contains("AlgoExample-", "Misbehaving-");
        await(By.cssSelector("#node-events tr[data-kind=REPLICA_FAILED]"), r -> true, "the events of its replicas");
        String gpu = await(By.cssSelector("#node-gpus tr[data-gpu='0']"), r -> "true".equals(r.getAttribute("data-simulated")),
                "the node's GPU, simulated");
        assertThat(gpu).contains("gpu:0", "simulated: placement only", "0 of 1");
        screenshot("node");
    }

    @Test
    @Order(6)
    void configurationPageShowsADryRunDiffAndRefusesApplyWithoutTheToken() throws Exception {
        long generation = RunningHead.json(admin("GET", "/api/config", "", null)).path("generation").asLong();
        browser.get(dashboard() + "dashboard/#/config");
        await(By.id("config-edit"), e -> e.getAttribute("value").contains("[algopkg.Faulty]"), "the edit box holds the conf.ini in force");
        WebElement edit = browser.findElement(By.id("config-edit")); // not redrawn: the operator's edits stay
        assertThat(browser.findElement(By.id("config-current")).getText()).contains("[algopkg.AlgoExample]", "admin_token = <hidden>")
                .doesNotContain(TOKEN);
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[0].value.replace("
                + "'route = extract', 'route = extract\\nconfig.greeting = bonjour')", edit);

        browser.findElement(By.id("dry-run")).click();
        String result = await(By.id("apply-result"), r -> "planned".equals(r.getAttribute("data-outcome")), "dry run planned");
        assertThat(result).contains("Dry run", "AlgoExample");
        assertThat(browser.findElement(By.id("config-diff")).getText()).contains("+ config.greeting = bonjour");
        screenshot("config-dry-run");

        browser.findElement(By.id("apply")).click();
        result = await(By.id("apply-result"), r -> "refused".equals(r.getAttribute("data-outcome")), "apply without token refused");
        assertThat(result).contains("401", "admin token");
        screenshot("config-refused");

        browser.findElement(By.id("admin-token")).sendKeys("not-the-token");
        browser.findElement(By.id("apply")).click();
        await(By.id("apply-outcome"), r -> r.getText().contains("401"), "a wrong token is refused too");
        assertThat(RunningHead.json(admin("GET", "/api/config", "", null)).path("generation").asLong())
                .as("nothing applied").isEqualTo(generation);

        WebElement token = browser.findElement(By.id("admin-token"));
        token.clear();
        token.sendKeys(TOKEN);
        browser.findElement(By.id("apply")).click();
        result = await(By.id("apply-result"), r -> "applied".equals(r.getAttribute("data-outcome")), "apply with the token");
        assertThat(result).contains("Applied: generation " + (generation + 1));
        assertThat(RunningHead.json(admin("GET", "/api/config", "", null)).path("text").asText()).contains("config.greeting = bonjour");
        assertThat(admin("POST", "/api/apply", "{\"path\":\"x\",\"text\":\"\",\"dryRun\":false}", "not-the-token").statusCode())
                .as("the token in force is still the old one").isEqualTo(401);
        assertThat(head.log()).doesNotContain(TOKEN);
        assertThat(Files.readString(workspace.dir().resolve("logs").resolve("head-" + head.bind + ".log"))).doesNotContain(TOKEN);
    }

    @Test
    @Order(7)
    void theCliPrintsTheTimeline() throws Exception {
        Cli.Result events = Cli.run(workspace.dir(), 60, "events", "--conf", "conf.ini", "--deployment", "Faulty");
        assertThat(events.exitCode()).as(events.output()).isZero();
        assertThat(events.output()).contains("APPLY", "Faulty: created", "REPLICA_FAILED", "weights file is corrupt")
                .doesNotContain("Misbehaving-");

        // --follow prints what happens next, each event once: scaling AlgoExample to 2 is an apply and a start.
        Path followed = workspace.dir().resolve("events-follow.txt");
        Process follow = Cli.command(workspace.dir(), "events", "--follow", "--conf", "conf.ini", "--deployment", "AlgoExample")
                .redirectOutput(followed.toFile()).start();
        try {
            awaitText(followed, text -> text.contains("AlgoExample: created"), "the timeline so far");
            String text = RunningHead.json(admin("GET", "/api/config", "", null)).path("text").asText();
            long generation = apply(text.replace("[algopkg.AlgoExample]\n", "[algopkg.AlgoExample]\nreplicas = 2\n"));
            String after = awaitText(followed, t -> t.lines().filter(l -> l.contains("REPLICA_STARTED")).count() >= 2,
                    "the scale-up followed");
            assertThat(after.lines().filter(l -> l.contains("generation " + generation + " applied")).toList())
                    .as("the apply, once").singleElement().asString().contains("APPLY", "AlgoExample: scaled");
            assertThat(after.lines().filter(l -> l.contains("AlgoExample: created")).count()).as("no event twice").isEqualTo(1);
        } finally {
            follow.destroy();
            follow.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(8)
    void theCliPrintsTheRequestLog() throws Exception {
        Cli.Result errors = Cli.run(workspace.dir(), 60, "requests", "Misbehaving", "--status", "5xx", "-n", "5", "--conf", "conf.ini");
        assertThat(errors.exitCode()).as(errors.output()).isZero();
        assertThat(errors.output().lines().filter(l -> l.contains("  500  rest  /bad  Misbehaving-")).count())
                .as(errors.output()).isEqualTo(5);
        Cli.Result slow = Cli.run(workspace.dir(), 60, "requests", "AlgoExample", "--min-ms", "100000", "--conf", "conf.ini");
        assertThat(slow.exitCode()).as(slow.output()).isZero();
        assertThat(slow.output()).as("nothing took 100 s").doesNotContain("/extract");
    }

    /** Applies the conf.ini in force plus {@code sections}; returns the new generation. */
    private long applyAdding(String sections) throws Exception {
        return apply(RunningHead.json(admin("GET", "/api/config", "", null)).path("text").asText() + "\n" + sections);
    }

    /** Applies {@code text} as the conf.ini in force; returns the new generation. */
    private long apply(String text) throws Exception {
        JsonNode current = RunningHead.json(admin("GET", "/api/config", "", null));
        HttpResponse<String> applied = admin("POST", "/api/apply", RunningHead.JSON.writeValueAsString(Map.of(
                "path", current.path("path").asText(), "text", text, "dryRun", false)), TOKEN);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        return RunningHead.json(applied).path("generation").asLong();
    }

    /** Polls a file a process writes until its text satisfies {@code condition} (60 s at most); returns the text. */
    private static String awaitText(Path file, java.util.function.Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(file) ? Files.readString(file) : "";
            if (condition.test(text)) {
                return text;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " not seen within 60 s in " + file + ":\n" + text);
    }

    private static long seqOf(List<WebElement> rows, String kind, String text) {
        return rows.stream().filter(r -> kind.equals(r.getAttribute("data-kind")) && r.getText().contains(text))
                .mapToLong(r -> Long.parseLong(r.getAttribute("data-seq"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " event with '" + text + "' in "
                        + rows.stream().map(WebElement::getText).toList()));
    }

    /** Moves the mouse over the middle-right of a chart and reads the legend's values there. */
    private String hoverValue(String chart) {
        WebElement over = browser.findElement(By.cssSelector("#" + chart + " .u-over"));
        new org.openqa.selenium.interactions.Actions(browser).moveToElement(over, over.getSize().getWidth() / 2 - 4, 0).perform();
        return new WebDriverWait(browser, Duration.ofSeconds(20)).withMessage("legend values under the cursor")
                .ignoring(StaleElementReferenceException.class).until(driver -> {
                    String text = driver.findElement(By.cssSelector("#" + chart + " .u-legend")).getText();
                    return text.contains("/s") ? text : null;
                });
    }

}
