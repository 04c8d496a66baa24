package io.modelserve.sdk;

/**
 * Where the scheduler placed a replica: on CPU only, or on one GPU with a fraction of it.
 *
 * @param kind     {@link Kind#CPU} or {@link Kind#GPU}
 * @param index    the GPU index on the node (as {@code nvidia-smi} numbers them); -1 for CPU
 * @param fraction the share of that GPU assigned to this replica, in (0, 1]; 0 for CPU
 */
public record Device(Kind kind, int index, double fraction) {

    /** The kind of device a replica runs on. */
    public enum Kind { CPU, GPU }

    /** A replica that runs on CPU cores only. */
    public static final Device CPU = new Device(Kind.CPU, -1, 0);

    public Device {
        if (kind == Kind.CPU && (index != -1 || fraction != 0)) {
            throw new IllegalArgumentException("a CPU device has no index or fraction");
        }
        if (kind == Kind.GPU && (index < 0 || fraction <= 0 || fraction > 1)) {
            throw new IllegalArgumentException("a GPU device needs index >= 0 and fraction in (0, 1]");
        }
    }

    /** A share of GPU {@code index}. */
    public static Device gpu(int index, double fraction) {
        return new Device(Kind.GPU, index, fraction);
    }

    public boolean isGpu() {
        return kind == Kind.GPU;
    }

    /** {@code cpu}, or {@code gpu:<index>@<fraction>} as {@code modelserve status} prints it. */
    @Override
    public String toString() {
        return isGpu() ? "gpu:" + index + "@" + fraction : "cpu";
    }
}
