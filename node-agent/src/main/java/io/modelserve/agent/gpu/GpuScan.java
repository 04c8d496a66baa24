package io.modelserve.agent.gpu;

import java.util.List;

/** What a {@link GpuProbe} found: GPUs (possibly none), or why it could not look. */
public sealed interface GpuScan {

    /** The probe ran; {@code gpus} in index order, empty on a machine that has none. */
    record Found(List<GpuReading> gpus) implements GpuScan {
        public Found {
            gpus = List.copyOf(gpus);
        }
    }

    /** The probe could not run: no driver, no {@code nvidia-smi}, or it failed; {@code why} says which. */
    record Unavailable(String why) implements GpuScan {}

    /** The GPUs found; none when the probe could not look. */
    default List<GpuReading> gpus() {
        return this instanceof Found found ? found.gpus() : List.of();
    }
}
