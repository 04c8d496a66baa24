package io.modelserve.agent;

import io.modelserve.cluster.NodeUsage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Measures this process for its node entry: CPU from the JVM's operating-system bean, heap, and RSS from /proc; its GPUs beside. */
final class UsageProbe {
    private static final Path STATUS = Path.of("/proc/self/status");

    private UsageProbe() {}

    /** @param gpus the node's GPUs as {@code GpuSampler} last read them */
    static NodeUsage measure(long now, java.util.List<io.modelserve.cluster.GpuUsage> gpus) {
        int cores = Runtime.getRuntime().availableProcessors();
        double process = -1;
        double system = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            process = os.getProcessCpuLoad();
            system = os.getCpuLoad();
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new NodeUsage(process < 0 ? 0 : process * cores, system, cores, heap.getUsed(),
                heap.getMax() > 0 ? heap.getMax() : heap.getCommitted(), residentBytes(), now, gpus);
    }

    /** VmRSS of /proc/self/status, or -1 where it cannot be read (not Linux). */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
