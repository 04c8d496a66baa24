package io.modelserve.cluster;

/**
 * What a node's process actually uses, measured when it last announced itself (every few seconds),
 * to show beside the capacity its replicas reserve. Replicas run inside the node's JVM, so the
 * process is the node.
 *
 * @param cpuCores     cores the process kept busy recently (its CPU load times the machine's cores)
 * @param systemCpu    share of the whole machine busy, 0..1 (other processes included), or -1 if unknown
 * @param machineCores cores the JVM sees
 * @param rssBytes     resident set size of the process, or -1 where /proc is not there to read it
 * @param gpus         each of the node's GPUs (all processes on the device, not only this one); empty without GPUs
 */
public record NodeUsage(double cpuCores, double systemCpu, int machineCores, long heapUsedBytes, long heapMaxBytes,
        long rssBytes, long atMillis, java.util.List<GpuUsage> gpus) {

    public NodeUsage {
        gpus = gpus == null ? java.util.List.of() : java.util.List.copyOf(gpus); // absent from older nodes
    }

    /** Without GPUs. */
    public NodeUsage(double cpuCores, double systemCpu, int machineCores, long heapUsedBytes, long heapMaxBytes,
            long rssBytes, long atMillis) {
        this(cpuCores, systemCpu, machineCores, heapUsedBytes, heapMaxBytes, rssBytes, atMillis, java.util.List.of());
    }
}
