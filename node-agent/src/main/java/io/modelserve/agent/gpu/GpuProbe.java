package io.modelserve.agent.gpu;

/**
 * Reads this machine's GPUs: at startup to find them, then every few seconds for their utilisation
 * and memory. An interface so that discovery and sampling are tested with recorded output.
 */
@FunctionalInterface
public interface GpuProbe {
    GpuScan scan();
}
