package io.modelserve.agent.gpu;

import io.modelserve.cluster.GpuDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPUs a node offers to the scheduler, decided once at startup from {@code --gpus},
 * {@code --gpus-simulated} and what the machine has; or why the node refuses to start.
 */
public sealed interface GpuOffer {

    /** @param note one line for the node's log: what was found and what is offered */
    record Offered(List<GpuDevice> devices, String note) implements GpuOffer {
        public Offered {
            devices = List.copyOf(devices);
        }
    }

    /** The options ask for GPUs this machine does not have; {@code message} names both numbers. */
    record Refused(String message) implements GpuOffer {}

    /** Name of a simulated device. */
    String SIMULATED_NAME = "simulated";

    /**
     * @param requested       {@code --gpus N}, or null to offer every GPU found
     * @param simulated       {@code --gpus-simulated N}, or null
     * @param simulatedMemory the memory each simulated device claims, for {@code gpu_memory} placement
     * @param probe           looks at the machine; not asked when GPUs are simulated
     */
    static GpuOffer decide(Integer requested, Integer simulated, long simulatedMemory, GpuProbe probe) {
        if (requested != null && simulated != null) {
            return new Refused("--gpus and --gpus-simulated exclude each other: --gpus offers real devices, "
                    + "--gpus-simulated placement slots without hardware");
        }
        if ((requested != null && requested < 0) || (simulated != null && simulated < 0)) {
            return new Refused("the number of GPUs must not be negative");
        }
        if (simulated != null) {
            List<GpuDevice> devices = new ArrayList<>();
            for (int i = 0; i < simulated; i++) {
                devices.add(new GpuDevice(i, SIMULATED_NAME, simulatedMemory, true));
            }
            return new Offered(devices, simulated + " simulated GPU(s) for placement only; nothing runs on them");
        }
        if (requested != null && requested == 0) {
            return new Offered(List.of(), "--gpus 0: no GPUs offered");
        }
        GpuScan scan = probe.scan();
        List<GpuReading> found = scan.gpus();
        String seen = switch (scan) {
            case GpuScan.Found f -> "found " + f.gpus().size() + " GPU(s)";
            case GpuScan.Unavailable u -> "found 0 GPUs: " + u.why();
        };
        if (requested == null) {
            return new Offered(devices(found, found.size()), seen + "; offering " + found.size());
        }
        if (requested > found.size()) {
            return new Refused("--gpus " + requested + ": this node has " + found.size() + " GPU(s) (" + seen
                    + "); offer at most " + found.size() + ", or use --gpus-simulated " + requested
                    + " for placement without hardware");
        }
        return new Offered(devices(found, requested), seen + "; offering " + requested + " (--gpus " + requested + ")");
    }

    private static List<GpuDevice> devices(List<GpuReading> found, int count) {
        List<GpuDevice> devices = new ArrayList<>(count);
        for (GpuReading reading : found.subList(0, count)) {
            devices.add(reading.device(false));
        }
        return devices;
    }
}
