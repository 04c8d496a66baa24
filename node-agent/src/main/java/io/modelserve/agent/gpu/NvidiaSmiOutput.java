package io.modelserve.agent.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses what {@code nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu
 * --format=csv,noheader,nounits} prints: one line per GPU, {@code 0, NVIDIA H200, 143771, 4, 0}, memory
 * in MiB, utilisation in percent. A value the driver does not know reads {@code [N/A]} or
 * {@code [Not Supported]}; it becomes -1 rather than failing the device.
 */
public final class NvidiaSmiOutput {
    /** The query, in the order {@link #parse} reads the columns. */
    public static final List<String> ARGUMENTS = List.of(
            "--query-gpu=index,name,memory.total,memory.used,utilization.gpu", "--format=csv,noheader,nounits");

    private static final long MIB = 1024L * 1024;
    private static final long MAX_MIB = Long.MAX_VALUE / MIB;

    private NvidiaSmiOutput() {}

    /** The GPUs of {@code text}; a line that is not a GPU's (a warning, a blank line) is skipped. */
    public static List<GpuReading> parse(String text) {
        List<GpuReading> gpus = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String[] fields = line.split(",");
            if (fields.length < 5) {
                continue;
            }
            int last = fields.length - 1;
            // A name may itself hold a comma: it is everything between the index and the three numbers.
            StringBuilder name = new StringBuilder(fields[1].strip());
            for (int i = 2; i < last - 2; i++) {
                name.append(',').append(fields[i]);
            }
            try {
                int index = Integer.parseInt(fields[0].strip());
                long totalMib = number(fields[last - 2]);
                if (index < 0 || totalMib < 0 || totalMib > MAX_MIB) {
                    continue; // not a device any driver reports: its bytes would overflow
                }
                long usedMib = Math.min(number(fields[last - 1]), totalMib);
                long percent = number(fields[last]);
                gpus.add(new GpuReading(index, name.toString().strip(), totalMib * MIB, usedMib < 0 ? -1 : usedMib * MIB,
                        percent < 0 ? -1 : Math.min(100, percent) / 100.0));
            } catch (NumberFormatException notAGpuLine) {
                // e.g. "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
            }
        }
        gpus.sort(java.util.Comparator.comparingInt(GpuReading::index));
        return gpus;
    }

    /** A whole number, or -1 for the driver's "[N/A]" / "[Not Supported]". */
    private static long number(String field) {
        String value = field.strip();
        if (value.startsWith("[") || value.equalsIgnoreCase("N/A")) {
            return -1;
        }
        return Math.round(Double.parseDouble(value));
    }
}
