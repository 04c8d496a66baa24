package io.modelserve.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits} output, parsed. */
class NvidiaSmiOutputTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void twoDevicesWithMemoryInMibAndUtilisationInPercent() throws IOException {
        List<GpuReading> gpus = NvidiaSmiOutput.parse(recorded("nvidia-smi-h200x2.csv"));

        assertThat(gpus).containsExactly(
                new GpuReading(0, "NVIDIA H200", 143771 * MIB, 4 * MIB, 0.0),
                new GpuReading(1, "NVIDIA H200", 143771 * MIB, 81920 * MIB, 0.97));
    }

    @Test
    void valuesTheDriverDoesNotKnowAreUnknownNotZero() throws IOException {
        List<GpuReading> gpus = NvidiaSmiOutput.parse(recorded("nvidia-smi-t4-na.csv"));

        assertThat(gpus).containsExactly(new GpuReading(0, "Tesla T4", 15360 * MIB, -1, -1));
    }

    @Test
    void aDriverThatCannotBeReachedFindsNoDevice() throws IOException {
        assertThat(NvidiaSmiOutput.parse(recorded("nvidia-smi-no-driver.txt"))).isEmpty();
    }

    @Test
    void aNameWithACommaKeepsItAndDevicesComeInIndexOrder() {
        List<GpuReading> gpus = NvidiaSmiOutput.parse("1, NVIDIA A100-SXM4-80GB, 81920, 0, 0\r\n"
                + "0, Quadro RTX 8000, Rev. 2, 49152, 1024, 12\n");

        assertThat(gpus).extracting(GpuReading::index, GpuReading::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "Quadro RTX 8000, Rev. 2"),
                        org.assertj.core.groups.Tuple.tuple(1, "NVIDIA A100-SXM4-80GB"));
        assertThat(gpus.getFirst().utilization()).isEqualTo(0.12);
    }

    private static String recorded(String name) throws IOException {
        try (InputStream in = NvidiaSmiOutputTest.class.getResourceAsStream("/gpu/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
