package io.modelserve.agent.gpu;

import io.modelserve.cluster.GpuDevice;
import io.modelserve.cluster.GpuUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the utilisation and memory of the GPUs a node offers, for its node entry and its metrics.
 * Its own thread calls {@link #sample()} every period, so a slow or hung {@code nvidia-smi} never holds
 * up the node's loop, which writes the node entry; the entry and the gauges read {@link #latest()}, the
 * last sample, replaced whole by that one thread.
 */
public final class GpuSampler implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GpuSampler.class);
    private final List<GpuDevice> devices;
    private final GpuProbe probe;
    private volatile List<GpuUsage> latest;
    private volatile Thread thread;

    public GpuSampler(List<GpuDevice> devices, GpuProbe probe) {
        this.devices = List.copyOf(devices);
        this.probe = probe;
        this.latest = unknown();
    }

    /** Real devices are read with {@code nvidia-smi}; simulated ones are never probed. */
    public static GpuSampler of(List<GpuDevice> devices) {
        return new GpuSampler(devices, new NvidiaSmiProbe());
    }

    public List<GpuDevice> devices() {
        return devices;
    }

    /**
     * One reading per offered device, in its order. A simulated device is idle and empty; a real one the
     * probe did not report (driver gone, {@code nvidia-smi} failed) reads -1, unknown, rather than 0.
     */
    public List<GpuUsage> sample() {
        if (devices.isEmpty()) {
            return List.of();
        }
        Map<Integer, GpuReading> read = new HashMap<>();
        if (devices.stream().anyMatch(d -> !d.simulated())) {
            for (GpuReading reading : probe.scan().gpus()) {
                read.put(reading.index(), reading);
            }
        }
        List<GpuUsage> usage = new ArrayList<>(devices.size());
        for (GpuDevice device : devices) {
            GpuReading reading = read.get(device.index());
            if (device.simulated()) {
                usage.add(new GpuUsage(device.index(), 0, 0, device.memoryTotalBytes()));
            } else if (reading == null) {
                usage.add(new GpuUsage(device.index(), -1, -1, device.memoryTotalBytes()));
            } else {
                usage.add(new GpuUsage(device.index(), reading.utilization(), reading.memoryUsedBytes(), device.memoryTotalBytes()));
            }
        }
        latest = List.copyOf(usage);
        return latest;
    }

    /**
     * Samples now, and every {@code periodMillis} on a daemon thread while a real device is offered
     * (simulated ones never change). Any failure, an Error included, is logged and the next period
     * samples again: a dead sampler would freeze the readings at their last values.
     */
    public GpuSampler start(long periodMillis) {
        if (devices.stream().allMatch(GpuDevice::simulated)) {
            sample();
            return this;
        }
        thread = Thread.ofPlatform().daemon().name("gpu-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    sample();
                } catch (Throwable t) {
                    log.warn("sampling GPUs failed: {}", t.toString());
                }
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    @Override
    public void close() {
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    /** The last {@link #sample()}; before the first, unknown values for real devices. */
    public List<GpuUsage> latest() {
        return latest;
    }

    /** Before the first sample: a real device's readings are unknown; a simulated one is idle and empty from the start. */
    private List<GpuUsage> unknown() {
        List<GpuUsage> usage = new ArrayList<>();
        for (GpuDevice device : devices) {
            usage.add(device.simulated() ? new GpuUsage(device.index(), 0, 0, device.memoryTotalBytes())
                    : new GpuUsage(device.index(), -1, -1, device.memoryTotalBytes()));
        }
        return List.copyOf(usage);
    }
}
