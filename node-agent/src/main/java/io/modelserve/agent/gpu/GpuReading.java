package io.modelserve.agent.gpu;

import io.modelserve.cluster.GpuDevice;
import io.modelserve.cluster.GpuUsage;

/**
 * One GPU as a probe read it at one moment: what it is and what it was doing.
 *
 * @param utilization     0..1, or -1 where the driver does not say ({@code [N/A]})
 * @param memoryUsedBytes -1 where the driver does not say
 */
public record GpuReading(int index, String name, long memoryTotalBytes, long memoryUsedBytes, double utilization) {

    public GpuDevice device(boolean simulated) {
        return new GpuDevice(index, name, memoryTotalBytes, simulated);
    }

    public GpuUsage usage() {
        return new GpuUsage(index, utilization, memoryUsedBytes, memoryTotalBytes);
    }
}
