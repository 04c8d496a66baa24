package io.modelserve.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.GpuDevice;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a node offers for --gpus / --gpus-simulated, against what a fake probe finds. */
class GpuOfferTest {
    private static final long GIB = 1L << 30;
    private static final GpuProbe TWO = () -> new GpuScan.Found(List.of(
            new GpuReading(0, "NVIDIA L4", 23 * GIB, 0, 0), new GpuReading(1, "NVIDIA L4", 23 * GIB, 0, 0)));
    private static final GpuProbe NONE = () -> new GpuScan.Unavailable("nvidia-smi not found (no NVIDIA driver on this machine)");

    @Test
    void withoutGpusEveryDeviceFoundIsOffered() {
        GpuOffer offer = GpuOffer.decide(null, null, 16 * GIB, TWO);

        assertThat(offer).isInstanceOf(GpuOffer.Offered.class);
        assertThat(((GpuOffer.Offered) offer).devices()).containsExactly(
                new GpuDevice(0, "NVIDIA L4", 23 * GIB, false), new GpuDevice(1, "NVIDIA L4", 23 * GIB, false));
    }

    @Test
    void aMachineWithoutADriverOffersNoneAndSaysWhy() {
        GpuOffer offer = GpuOffer.decide(null, null, 16 * GIB, NONE);

        assertThat(((GpuOffer.Offered) offer).devices()).isEmpty();
        assertThat(((GpuOffer.Offered) offer).note()).contains("found 0 GPUs", "nvidia-smi not found");
    }

    @Test
    void moreGpusThanFoundIsRefusedNamingBothNumbers() {
        GpuOffer none = GpuOffer.decide(1, null, 16 * GIB, NONE);
        GpuOffer fewer = GpuOffer.decide(3, null, 16 * GIB, TWO);

        assertThat(none).isEqualTo(new GpuOffer.Refused("--gpus 1: this node has 0 GPU(s) (found 0 GPUs: nvidia-smi not"
                + " found (no NVIDIA driver on this machine)); offer at most 0, or use --gpus-simulated 1 for placement"
                + " without hardware"));
        assertThat(((GpuOffer.Refused) fewer).message()).startsWith("--gpus 3: this node has 2 GPU(s)");
    }

    @Test
    void fewerGpusThanFoundOffersTheFirstOnes() {
        GpuOffer offer = GpuOffer.decide(1, null, 16 * GIB, TWO);

        assertThat(((GpuOffer.Offered) offer).devices()).extracting(GpuDevice::index).containsExactly(0);
    }

    @Test
    void simulatedGpusAreMarkedAndNeverProbed() {
        AtomicInteger probed = new AtomicInteger();
        GpuOffer offer = GpuOffer.decide(null, 2, 8 * GIB, () -> {
            probed.incrementAndGet();
            return TWO.scan();
        });

        assertThat(((GpuOffer.Offered) offer).devices()).containsExactly(
                new GpuDevice(0, "simulated", 8 * GIB, true), new GpuDevice(1, "simulated", 8 * GIB, true));
        assertThat(probed).hasValue(0);
    }

    @Test
    void zeroNeedsNoProbeAndBothOptionsTogetherAreRefused() {
        assertThat(((GpuOffer.Offered) GpuOffer.decide(0, null, 0, () -> {
            throw new AssertionError("probed");
        })).devices()).isEmpty();
        assertThat(GpuOffer.decide(1, 1, 16 * GIB, TWO)).isInstanceOf(GpuOffer.Refused.class);
        assertThat(GpuOffer.decide(-1, null, 16 * GIB, TWO)).isInstanceOf(GpuOffer.Refused.class);
    }
}
