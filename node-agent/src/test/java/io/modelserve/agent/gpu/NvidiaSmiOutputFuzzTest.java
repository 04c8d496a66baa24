package io.modelserve.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Whatever {@code nvidia-smi} prints (a driver's warning, a truncated line, numbers no device has),
 * parsing never throws, and every device it keeps can be offered: a real index, memory that is a
 * size, used memory within it, utilisation 0..1 or unknown.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seed corpus in {@code NvidiaSmiOutputFuzzTestInputs/}
 * (if any) as ordinary tests; with it, it fuzzes for {@code maxDuration} (see README, Fuzzing).
 */
class NvidiaSmiOutputFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(FuzzedDataProvider data) {
        for (GpuReading gpu : NvidiaSmiOutput.parse(data.consumeRemainingAsString())) {
            assertThat(gpu.index()).isNotNegative();
            assertThat(gpu.memoryTotalBytes()).isNotNegative();
            assertThat(gpu.memoryUsedBytes()).isBetween(-1L, gpu.memoryTotalBytes());
            assertThat(gpu.utilization()).satisfiesAnyOf(u -> assertThat(u).isEqualTo(-1.0), u -> assertThat(u).isBetween(0.0, 1.0));
            gpu.device(false);
        }
    }
}
