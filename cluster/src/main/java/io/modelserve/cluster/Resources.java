package io.modelserve.cluster;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact resource amounts in milli-units (1 CPU core = 1000, one whole GPU = 1000), so that
 * 0.1 + 0.2 fits in 0.3 and 0.5 + 0.5 fill a GPU exactly.
 *
 * @param cpuMilli CPU in thousandths of a core
 * @param gpuMilli GPU in thousandths of one device
 */
public record Resources(long cpuMilli, long gpuMilli) {
    public static final Resources NONE = new Resources(0, 0);

    public Resources {
        if (cpuMilli < 0 || gpuMilli < 0) {
            throw new IllegalArgumentException("negative resources: cpu " + cpuMilli + "m, gpu " + gpuMilli + "m");
        }
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
        return new Resources(cpuMilli + other.cpuMilli, gpuMilli + other.gpuMilli);
    }

    @Override
    public String toString() {
        return "cpu " + formatMilli(cpuMilli) + (gpuMilli > 0 ? ", gpu " + formatMilli(gpuMilli) : "");
    }
}
