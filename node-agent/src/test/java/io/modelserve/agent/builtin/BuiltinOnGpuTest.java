package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A built-in asked to run on a GPU that cannot be opened fails its init with ONNX Runtime's own
 * message, never quietly on the CPU. Here the CPU-only onnxruntime jar of the default build is
 * what cannot open it; on a machine with the GPU build and a device 7 absent the provider says so.
 */
class BuiltinOnGpuTest {

    @Test
    void textEmbeddingOnASimulatedGpuFailsWithTheProvidersMessageAndWhatSimulatedMeans() throws Exception {
        Path model = ModelZoo.require(ModelZoo.MINILM);
        Path tokenizer = ModelZoo.require(ModelZoo.MINILM_TOKENIZER);
        AlgoBackend backend = BuiltinBackends.standard(new OnnxDevices(Set.of(0)))
                .create("builtin:text-embedding", Map.of("threads", "1"));

        Throwable failure = catchThrowable(() -> backend.init(new TestContext("minilm", List.of(tokenizer, model),
                Device.gpu(0, 0.5))));

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageStartingWith(
                "builtin:text-embedding could not open gpu:0@0.5 with ONNX Runtime's CUDA execution provider (no fallback to"
                        + " the CPU): ");
        assertThat(failure.getMessage()).contains("gpu:0 is simulated (--gpus-simulated)");
        assertThat(failure.getMessage()).as("ONNX Runtime's text, not only ours").containsIgnoringCase("cuda");
        backend.close();
    }

    @Test
    void onnxOnAGpuTheBuildCannotOpenNamesTheBuild() throws Exception {
        assumeThat(OrtEnvironment.getAvailableProviders()).as("the default, CPU-only build").doesNotContain(OrtProvider.CUDA);
        Path model = ModelZoo.require(ModelZoo.CLS);
        AlgoBackend backend = BuiltinBackends.standard(OnnxDevices.REAL).create("builtin:onnx", Map.of("threads", "1"));

        Throwable failure = catchThrowable(() -> backend.init(new TestContext("cls", List.of(model), Device.gpu(1, 1.0))));

        assertThat(failure).hasMessageStartingWith("builtin:onnx could not open gpu:1@1.0 with ONNX Runtime's CUDA")
                .hasMessageEndingWith("this node's ONNX Runtime is the CPU-only build: build with -Pgpu (README, GPUs)");
        backend.close();
    }

    @Test
    void onTheCpuNothingChanges() throws Exception {
        Path model = ModelZoo.require(ModelZoo.CLS);
        AlgoBackend backend = BuiltinBackends.standard(new OnnxDevices(Set.of(0))).create("builtin:onnx", Map.of("threads", "1"));

        backend.init(new TestContext("cls", List.of(model)));

        backend.close();
    }
}
