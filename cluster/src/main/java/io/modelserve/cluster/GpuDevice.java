package io.modelserve.cluster;

import java.util.Objects;

/**
 * One GPU a node offers, as it found it (or was told to pretend it has one).
 *
 * @param index            the device index as the driver numbers it ({@code nvidia-smi}, CUDA); replicas
 *                         placed on it get this index in {@code BackendContext.device()}
 * @param name             e.g. {@code NVIDIA H200}; {@code simulated} for a simulated device
 * @param memoryTotalBytes the device's memory, against which {@code gpu_memory} is checked
 * @param simulated        {@code --gpus-simulated}: a placement slot with no device behind it, for tests
 *                         and demos; a built-in placed on it fails, since there is nothing to open
 */
public record GpuDevice(int index, String name, long memoryTotalBytes, boolean simulated) {
    public GpuDevice {
        Objects.requireNonNull(name, "name");
        if (index < 0 || memoryTotalBytes < 0) {
            throw new IllegalArgumentException("GPU " + index + ": negative index or memory");
        }
    }
}
