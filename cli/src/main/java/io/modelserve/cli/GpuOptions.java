package io.modelserve.cli;

import io.modelserve.agent.gpu.GpuOffer;
import io.modelserve.agent.gpu.NvidiaSmiProbe;
import io.modelserve.cluster.Resources;
import picocli.CommandLine.Option;

/** The GPUs a node offers, as {@code start} and {@code agent} both take them (a picocli mixin). */
final class GpuOptions {
    @Option(names = "--gpus", description = "GPUs this node offers, the first N found (default: every GPU nvidia-smi"
            + " finds); more than it finds is refused")
    Integer gpus;

    @Option(names = "--gpus-simulated", description = "offer N simulated GPUs instead: placement without hardware, for"
            + " tests and demos; `status` shows them as simulated, and a built-in placed on one fails")
    Integer simulated;

    @Option(names = "--simulated-gpu-memory", defaultValue = "16g", description = "memory each simulated GPU claims,"
            + " for gpu_memory placement (default: ${DEFAULT-VALUE})")
    String simulatedMemory;

    /** Looks at the machine (unless simulated) and decides; a refusal names what was asked and what was found. */
    GpuOffer decide() {
        long memory;
        try {
            memory = Resources.parseBytes(simulatedMemory);
        } catch (NumberFormatException e) {
            return new GpuOffer.Refused("--simulated-gpu-memory " + simulatedMemory + ": must be " + e.getMessage());
        }
        return GpuOffer.decide(gpus, simulated, memory, new NvidiaSmiProbe());
    }
}
