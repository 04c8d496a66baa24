package io.modelserve.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.GpuDevice;
import io.modelserve.cluster.GpuUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GpuSamplerTest {
    private static final long GIB = 1L << 30;

    @Test
    void readsTheOfferedDevicesOnlyAndKeepsTheLastSample() {
        AtomicReference<GpuScan> scan = new AtomicReference<>(new GpuScan.Found(List.of(
                new GpuReading(0, "NVIDIA L4", 23 * GIB, 2 * GIB, 0.4), new GpuReading(1, "NVIDIA L4", 23 * GIB, 0, 0))));
        GpuSampler sampler = new GpuSampler(List.of(new GpuDevice(0, "NVIDIA L4", 23 * GIB, false)), scan::get);

        assertThat(sampler.latest()).containsExactly(new GpuUsage(0, -1, -1, 23 * GIB));
        assertThat(sampler.sample()).containsExactly(new GpuUsage(0, 0.4, 2 * GIB, 23 * GIB));

        scan.set(new GpuScan.Unavailable("nvidia-smi exited with 9"));
        assertThat(sampler.sample()).as("a failed read is unknown, not idle").containsExactly(new GpuUsage(0, -1, -1, 23 * GIB));
        assertThat(sampler.latest()).containsExactly(new GpuUsage(0, -1, -1, 23 * GIB));
    }

    @Test
    void simulatedDevicesAreIdleAndEmptyWithoutProbing() {
        GpuSampler sampler = new GpuSampler(List.of(new GpuDevice(0, "simulated", 16 * GIB, true)), () -> {
            throw new AssertionError("probed");
        });

        assertThat(sampler.latest()).as("from the start: a node entry written before the first sample").containsExactly(
                new GpuUsage(0, 0, 0, 16 * GIB));
        assertThat(sampler.sample()).containsExactly(new GpuUsage(0, 0, 0, 16 * GIB));
    }

    @Test
    void itsThreadKeepsSamplingThroughAFailingProbe() throws Exception {
        java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
        GpuSampler sampler = new GpuSampler(List.of(new GpuDevice(0, "NVIDIA L4", 23 * GIB, false)), () -> {
            if (scans.incrementAndGet() == 1) {
                throw new LinkageError("the first read breaks");
            }
            return new GpuScan.Found(List.of(new GpuReading(0, "NVIDIA L4", 23 * GIB, GIB, 0.5)));
        });
        try (GpuSampler running = sampler.start(10)) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!sampler.latest().equals(List.of(new GpuUsage(0, 0.5, GIB, 23 * GIB)))) {
                assertThat(System.nanoTime()).as("a reading after the failure within 30 s").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        assertThat(scans.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theRealProbeOnAMachineWithoutTheCommandSaysSo() {
        GpuScan scan = new NvidiaSmiProbe("/nonexistent/nvidia-smi").scan();

        assertThat(scan).isEqualTo(new GpuScan.Unavailable("/nonexistent/nvidia-smi not found (no NVIDIA driver on this machine)"));
    }
}
