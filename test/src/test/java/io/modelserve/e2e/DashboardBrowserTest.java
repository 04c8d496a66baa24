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
 * Debian packages chromium and chromium-driver, which .ci/run installs): it lists the deployments,
 * its chart moves after traffic, a failing deployment shows its error, and an apply from the
 * configuration page is refused without the admin token. Screenshots go to test/target/screenshots/.
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
        // Still in the [MODEL SERVE] section the header opens.
        workspace.writeConf("conf.ini", "admin_token = " + TOKEN + "\n\n" + EXAMPLE);
        head = workspace.start("conf.ini");
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
    void overviewShowsNodesDeploymentsAndTheLeader() throws Exception {
        browser.get(dashboard());
        String row = await(By.id("deployment-AlgoExample"), r -> "HEALTHY".equals(r.getAttribute("data-state")),
                "AlgoExample shown HEALTHY");
        assertThat(row).contains("AlgoExample", "/extract", "1 / 1");
        assertThat(browser.getCurrentUrl()).endsWith("/dashboard/");
        assertThat(await(By.id("nodes"), n -> n.getText().contains("0.25 / 8"), "the node's CPU use"))
                .contains("node-" + head.bind);
        assertThat(await(By.id("leader"), l -> !l.getText().isEmpty(), "the leader")).isEqualTo("node-" + head.bind);
        assertThat(Files.size(screenshot("overview"))).isPositive();
    }

    @Test
    @Order(2)
    void theDeploymentChartMovesAfterTraffic() throws Exception {
        browser.get(dashboard() + "dashboard/#/deployment/AlgoExample");
        await(By.id("chart-throughput"), c -> !"0".equals(c.getAttribute("data-points")), "the throughput chart has points");
        assertThat(browser.findElement(By.id("chart-throughput")).getAttribute("data-max")).as("no traffic yet").isEqualTo("0");
        String before = canvasImage("chart-throughput");

        try (LoadLoop load = LoadLoop.start(head, "/extract", "{\"text\":\"a good day\"}", 2)) {
            await(By.id("chart-throughput"), c -> Double.parseDouble(c.getAttribute("data-max")) > 0,
                    "the throughput chart shows requests");
            await(By.id("chart-latency"), c -> Double.parseDouble(c.getAttribute("data-max")) > 0,
                    "the latency chart shows p50/p99");
            LoadLoop.Tally tally = load.stop();
            assertThat(tally.failures()).isEmpty();
            assertThat(tally.ok()).isPositive();
        }
        assertThat(canvasImage("chart-throughput")).as("the chart was redrawn with the traffic").isNotEqualTo(before);
        String replica = await(By.cssSelector("#replicas tr[data-replica]"), r -> "RUNNING".equals(r.getAttribute("data-state")),
                "the replica is listed RUNNING");
        assertThat(replica).contains("AlgoExample-", "node-" + head.bind, "cpu", "RUNNING");
        await(By.cssSelector("#logs pre.log"), pre -> pre.getText().contains("ready on node-" + head.bind),
                "the replica's log tail is shown");
        screenshot("deployment");
    }

    @Test
    @Order(3)
    void aFailingDeploymentShowsItsError() throws Exception {
        HttpResponse<String> config = admin("GET", "/api/config", "", null);
        JsonNode current = RunningHead.json(config);
        HttpResponse<String> applied = admin("POST", "/api/apply", RunningHead.JSON.writeValueAsString(Map.of(
                "path", current.path("path").asText(), "text", current.path("text").asText() + "\n" + FAULTY, "dryRun", false)), TOKEN);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);

        browser.get(dashboard() + "dashboard/#/");
        String row = await(By.id("deployment-Faulty"), r -> "FAILED".equals(r.getAttribute("data-state")),
                "Faulty shown FAILED");
        assertThat(row).contains("init failed: weights file is corrupt");
        await(By.id("deployment-AlgoExample"), r -> "HEALTHY".equals(r.getAttribute("data-state")), "AlgoExample still HEALTHY");
        screenshot("overview-failing");

        browser.get(dashboard() + "dashboard/#/deployment/Faulty");
        await(By.id("deployment-error"), e -> e.getText().contains("weights file is corrupt"), "the deployment page shows the error");
        await(By.cssSelector("#logs pre.log"), pre -> pre.getText().contains("java.lang.IllegalStateException: weights file is corrupt"),
                "the replica's log shows the exception");
        screenshot("deployment-failing");
    }

    @Test
    @Order(4)
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

    private String canvasImage(String id) {
        return (String) ((JavascriptExecutor) browser).executeScript("return document.getElementById(arguments[0]).toDataURL()", id);
    }
}
