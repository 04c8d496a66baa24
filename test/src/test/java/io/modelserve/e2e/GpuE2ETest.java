package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GPUs without hardware, through {@code bin/modelserve}: {@code --gpus} beyond what the machine has is
 * refused; a head with {@code --gpus-simulated 2} places fractions and {@code gpu_memory} on them and
 * reports them as simulated in {@code status}, {@code status --json} and {@code /-/metrics}; a built-in
 * placed on a simulated GPU is FAILED with ONNX Runtime's message, never running on the CPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GpuE2ETest {
    static final String PLACED = """
            [algopkg.Halves]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            replicas = 2
            gpu_cost = 0.5
            cpu_cost = 0.1
            route = halves

            [algopkg.ByMemory]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            gpu_memory = 6g
            cpu_cost = 0.1
            route = by-memory
            """;
    static final String BUILTIN_ON_GPU = """

            [algopkg.MiniLmGpu]
            backend = builtin:text-embedding
            model = %s, %s
            threads = 1
            gpu_cost = 0.25
            cpu_cost = 0.1
            route = embed/gpu
            """.formatted(BuiltinBackendsE2ETest.MINILM, BuiltinBackendsE2ETest.MINILM_TOKENIZER);

    Path dir;
    RunningHead.Workspace workspace;
    RunningHead head;

    @BeforeAll
    void startHead() throws Exception {
        dir = RunningHead.scratchDir(getClass());
        workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("AlgoExample", "Halves");
        workspace.copyPlugin("AlgoExample", "ByMemory");
        workspace.writeConf("conf.ini", PLACED);
        head = workspace.start("conf.ini", "--cpus", "4", "--gpus-simulated", "2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (running(head.adminStatus()) < 3) {
            assertThat(System.nanoTime()).as("3 replicas running within 120 s:\n" + head.log()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    private static int running(JsonNode status) {
        int running = 0;
        for (JsonNode r : status.path("replicas")) {
            running += r.path("state").asText().equals("RUNNING") ? 1 : 0;
        }
        return running;
    }

    @Test
    void moreGpusThanTheMachineHasIsRefusedNamingBothNumbers() throws Exception {
        Cli.Result refused = Cli.run(dir, 60, "agent", "--join", "127.0.0.1:1", "--bind", "127.0.0.3", "--gpus", "64");

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.output()).containsPattern("error: --gpus 64: this node has \\d+ GPU\\(s\\)")
                .contains("or use --gpus-simulated 64 for placement without hardware");
    }

    @Test
    void fractionsAndMemoryArePlacedOnSimulatedDevicesAndReportedAsSimulated() throws Exception {
        JsonNode status = head.adminStatus();
        List<String> halves = new ArrayList<>();
        String byMemory = null;
        for (JsonNode r : status.path("replicas")) {
            if (r.path("deployment").asText().equals("Halves")) {
                halves.add(r.path("device").asText());
            } else if (r.path("deployment").asText().equals("ByMemory")) {
                byMemory = r.path("device").asText();
            }
        }
        assertThat(halves).hasSize(2).allMatch(d -> d.matches("gpu:[01]@0\\.5"));
        assertThat(byMemory).as("6g of a 16g simulated device").matches("gpu:[01]@0\\.375");

        JsonNode devices = status.path("nodes").get(0).path("devices");
        assertThat(devices).hasSize(2);
        double reserved = 0;
        for (JsonNode g : devices) {
            assertThat(g.path("simulated").asBoolean()).isTrue();
            assertThat(g.path("name").asText()).isEqualTo("simulated");
            assertThat(g.path("memoryTotalBytes").asLong()).isEqualTo(16L << 30);
            reserved += g.path("reserved").asDouble();
        }
        assertThat(reserved).isEqualTo(1.375);

        Cli.Result json = head.cli("status", "--json");
        assertThat(json.output()).contains("\"simulated\" : true");
        Cli.Result text = head.cli("status");
        assertThat(text.output()).containsPattern("gpu node-\\S+ gpu:0 \\(simulated, no device\\): reserved [0-9.]+, 0% busy,"
                + " memory 0g / 16g");

        String metrics = head.get("/-/metrics").body();
        assertThat(metrics).containsPattern("modelserve_gpu_memory_total_bytes\\{gpu=\"1\",name=\"simulated\",node=\"[^\"]+\","
                + "simulated=\"true\"} 1\\.7179869184E10");
        assertThat(metrics).contains("modelserve_gpu_utilization_ratio{gpu=\"0\"");
    }

    @Test
    void aBuiltinOnASimulatedGpuIsFailedWithTheProvidersMessage() throws Exception {
        Path zoo = Cli.ROOT.resolve("Model_ZOO");
        assumeThat(zoo.resolve(BuiltinBackendsE2ETest.MINILM)).as("build examples/text-embedding first").isRegularFile();
        workspace.writeConf("with-builtin.ini", PLACED + BUILTIN_ON_GPU);

        Cli.Result apply = head.cli("apply", "with-builtin.ini");

        assertThat(apply.exitCode()).as(apply.toString()).isNotZero();
        String reason = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (reason == null) {
            for (JsonNode r : head.adminStatus().path("replicas")) {
                if (r.path("deployment").asText().equals("MiniLmGpu") && r.path("state").asText().equals("FAILED")) {
                    reason = r.path("reason").asText();
                }
            }
            assertThat(System.nanoTime()).as("MiniLmGpu FAILED within 60 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(reason).contains("builtin:text-embedding could not open gpu:", "with ONNX Runtime's CUDA execution provider"
                + " (no fallback to the CPU)", "is simulated (--gpus-simulated)");
        assertThat(reason).as("ONNX Runtime's own words").containsIgnoringCase("cuda");
        assertThat(head.post("/embed/gpu", "{\"text\":\"hello\"}").statusCode()).as("never served from the CPU").isNotEqualTo(200);
    }
}
