package io.modelserve.cluster;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact resource amounts in milli-units (1 CPU core = 1000, one whole GPU = 1000), so that
 * 0.1 + 0.2 fits in 0.3 and 0.5 + 0.5 fill a GPU exactly.
 *
 * @param cpuMilli       CPU in thousandths of a core
 * @param gpuMilli       GPU in thousandths of one device
 * @param gpuMemoryBytes GPU memory on one device ({@code gpu_memory}), instead of a fraction: the
 *                       scheduler turns it into the share of the device it lands on (0 = none asked;
 *                       at most one of {@code gpuMilli} and this is non-zero)
 */
public record Resources(long cpuMilli, long gpuMilli, long gpuMemoryBytes) {
    public static final Resources NONE = new Resources(0, 0);
    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("(\\d{1,9})([mMgG])");

    public Resources {
        if (cpuMilli < 0 || gpuMilli < 0 || gpuMemoryBytes < 0) {
            throw new IllegalArgumentException("negative resources: cpu " + cpuMilli + "m, gpu " + gpuMilli + "m, gpu memory "
                    + gpuMemoryBytes);
        }
        if (gpuMilli > 0 && gpuMemoryBytes > 0) {
            throw new IllegalArgumentException("a GPU fraction or GPU memory, not both");
        }
    }

    public Resources(long cpuMilli, long gpuMilli) {
        this(cpuMilli, gpuMilli, 0);
    }

    /** Whether it needs a GPU at all, by fraction or by memory. */
    public boolean needsGpu() {
        return gpuMilli > 0 || gpuMemoryBytes > 0;
    }

    /**
     * The thousandths of a device of {@code deviceBytes} this needs: {@code gpuMilli}, or its memory as a
     * share of the device rounded up (so the shares of a device never promise more than it holds); more
     * than 1000 when the memory exceeds the device, 1001 for a device of unknown size.
     */
    public long gpuMilliOn(long deviceBytes) {
        if (gpuMemoryBytes == 0) {
            return gpuMilli;
        }
        if (deviceBytes <= 0) {
            return 1001;
        }
        return BigDecimal.valueOf(gpuMemoryBytes).multiply(BigDecimal.valueOf(1000))
                .divide(BigDecimal.valueOf(deviceBytes), 0, RoundingMode.CEILING).longValueExact();
    }

    /** "6g" or "512m" (binary units) into bytes; anything else is refused. */
    public static long parseBytes(String text) {
        java.util.regex.Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new NumberFormatException("a size such as 512m or 6g");
        }
        return Long.parseLong(m.group(1)) << (m.group(2).equalsIgnoreCase("g") ? 30 : 20);
    }

    /** 6442450944 -> "6g", 536870912 -> "512m", else in MiB with decimals, e.g. "1.5g" for 1536m. */
    public static String formatBytes(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes >= 1L << 30) {
            return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 30), 1, RoundingMode.HALF_UP)
                    .stripTrailingZeros().toPlainString() + "g";
        }
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 20), 0, RoundingMode.HALF_UP).toPlainString() + "m";
    }

    /** Parses "0.5", "1", "2.125" into milli-units; more than three decimals are refused. */
    public static long parseMilli(String text) {
        BigDecimal value = new BigDecimal(text.trim());
        if (value.signum() < 0) {
            throw new NumberFormatException("must not be negative");
        }
        BigDecimal milli = value.movePointRight(3);
        if (milli.stripTrailingZeros().scale() > 0) {
            throw new NumberFormatException("at most three decimals");
        }
        return milli.longValueExact();
    }

    /** 1500 -> "1.5", 250 -> "0.25". */
    public static String formatMilli(long milli) {
        return BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
    }

    public static double toDouble(long milli) {
        return BigDecimal.valueOf(milli, 3).setScale(3, RoundingMode.UNNECESSARY).doubleValue();
    }

    public Resources plus(Resources other) {
        return new Resources(cpuMilli + other.cpuMilli, gpuMilli + other.gpuMilli, 0);
    }

    @Override
    public String toString() {
        return "cpu " + formatMilli(cpuMilli) + (gpuMilli > 0 ? ", gpu " + formatMilli(gpuMilli) : "")
                + (gpuMemoryBytes > 0 ? ", gpu memory " + formatBytes(gpuMemoryBytes) : "");
    }
}
