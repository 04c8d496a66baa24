package io.modelserve.cluster;

/**
 * What one GPU was doing at a node's last announcement (every few seconds).
 *
 * @param utilization      share of the last sample period a kernel ran, 0..1, as {@code nvidia-smi} reports
 *                         {@code utilization.gpu}; -1 where the driver does not say
 * @param memoryUsedBytes  device memory in use by every process on it, or -1 where unknown
 * @param memoryTotalBytes the device's memory
 */
public record GpuUsage(int index, double utilization, long memoryUsedBytes, long memoryTotalBytes) {}
