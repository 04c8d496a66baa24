package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Autoscaling through a real head: a bounded load ramp scales a deployment up, stopping it scales
 * it back down after the delay but never below the minimum, and a deployment at zero answers its
 * first request after a cold start instead of failing, and so does work posted to its queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoscaleE2ETest {
    static final String SECTIONS = """
            [algopkg.Auto]
            backend = io.modelserve.examples.algoexample.AlgoExample
            replicas = 1..3
            target_ongoing = 1
            upscale_delay_s = 1
            downscale_delay_s = 3
            cpu_cost = 0.1
            route = auto

            [algopkg.Zero]
            backend = io.modelserve.examples.algoexample.AlgoExample
            replicas = 0..1
            upscale_delay_s = 0
            downscale_delay_s = 2
            cpu_cost = 0.1
            route = zero
            timeout_ms = 60000
            """;

    Path dir;
    RunningHead head;

    @BeforeAll
    void start() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        for (String name : List.of("Auto", "Zero")) {
            workspace.copyPlugin("AlgoExample", name);
        }
        workspace.writeConf("conf.ini", SECTIONS);
        head = workspace.start("conf.ini");
    }

    @AfterAll
    void stop() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private int running(String deployment) throws Exception {
        int count = 0;
        for (JsonNode replica : head.adminStatus().path("replicas")) {
            if (replica.path("deployment").asText().equals(deployment) && replica.path("state").asText().equals("RUNNING")) {
                count++;
            }
        }
        return count;
    }

    /** Polls until the deployment's RUNNING count satisfies {@code condition}; returns seconds, and the lowest count seen. */
    private double[] await(String deployment, IntPredicate condition, long timeoutSeconds) throws Exception {
        long started = System.nanoTime();
        int lowest = Integer.MAX_VALUE;
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
            int count = running(deployment);
            lowest = Math.min(lowest, count);
            if (condition.test(count)) {
                return new double[] {(System.nanoTime() - started) / 1e9, lowest};
            }
            Thread.sleep(100);
        }
        throw new AssertionError(deployment + " did not reach the expected replicas in " + timeoutSeconds + " s:\n"
                + head.adminStatus().toPrettyString());
    }

    @Test
    @Order(1)
    void aLoadRampScalesUpAndStoppingItScalesDownNeverBelowTheMinimum() throws Exception {
        assertThat(running("Auto")).isEqualTo(1);
        double up;
        try (LoadLoop load = LoadLoop.start(() -> head.post("/auto", "{\"sleep_ms\": 200}"), 6)) {
            up = await("Auto", n -> n == 3, 90)[0];
            // Asked while the load lasts: once it stops, downscale_delay_s (3 s) is shorter than a CLI
            // start on a loaded machine, and status could already say "scaled down".
            Cli.Result status = head.cli("status");
            LoadLoop.Tally tally = load.stop();
            assertThat(tally.failures()).as(tally.toString()).isEmpty();
            assertThat(status.output()).contains("autoscale Auto: 3 replicas in 1..3", "scaled up 1 -> 3");
        }
        double[] down = await("Auto", n -> n == 1, 90);
        System.out.printf("autoscaling: load ramp to 3 replicas serving in %.2f s; back to 1 after the load stopped in %.2f s%n",
                up, down[0]);
        assertThat((int) down[1]).as("never below the minimum").isGreaterThanOrEqualTo(1);
        Thread.sleep(4_000);
        assertThat(running("Auto")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aDeploymentAtZeroAnswersItsFirstRequestAfterAColdStart() throws Exception {
        assertThat(running("Zero")).isZero();
        long started = System.nanoTime();
        HttpResponse<String> first = head.post("/zero", "{\"text\":\"a good day\"}");
        double coldStart = (System.nanoTime() - started) / 1e9;
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        System.out.printf("scale from zero: first request answered after %.2f s (cold start)%n", coldStart);
        assertThat(running("Zero")).isEqualTo(1);
        await("Zero", n -> n == 0, 90);
    }

    @Test
    @Order(3)
    void workQueuedForADeploymentAtZeroWakesIt() throws Exception {
        await("Zero", n -> n == 0, 90);
        long started = System.nanoTime();
        HttpResponse<String> accepted = head.post("/-/queue/zero", "{\"text\":\"queued while at zero\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = RunningHead.JSON.readTree(accepted.body()).path("id").asText();
        HttpResponse<String> result = head.get("/-/result/" + id);
        while (result.statusCode() == 202 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60)) {
            Thread.sleep(100);
            result = head.get("/-/result/" + id);
        }
        double answered = (System.nanoTime() - started) / 1e9;
        assertThat(result.statusCode()).as("queued work must wake the deployment; " + result.body()).isEqualTo(200);
        System.out.printf("scale from zero by queued work: result ready after %.2f s%n", answered);
        assertThat(result.body()).contains("queued while at zero");
    }
}
