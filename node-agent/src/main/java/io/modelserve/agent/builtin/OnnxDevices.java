package io.modelserve.agent.builtin;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.modelserve.sdk.Device;
import java.util.Set;

/**
 * Where the built-ins of one node open their ONNX Runtime sessions: on the CPU, or, for a replica
 * placed on a GPU, on that device through the CUDA execution provider (DJL adds it for a GPU
 * {@code ai.djl.Device}). There is no fallback: a replica that asked for a GPU and cannot open it
 * fails with the provider's message, so a model "on a GPU" is never quietly on the CPU.
 *
 * <p>Built-ins run in the node's JVM, which sees every GPU, so the CUDA device is the node's index.
 *
 * @param simulated the indexes of this node's simulated GPUs ({@code --gpus-simulated}): placement
 *                  slots with no device behind them. A built-in placed on one still tries CUDA (on a
 *                  machine whose device {@code index} happens to exist it would open it, which is
 *                  not what the operator simulated), so its failure says what a simulated GPU is.
 */
public record OnnxDevices(Set<Integer> simulated) {
    /** A node with real GPUs, or none. */
    public static final OnnxDevices REAL = new OnnxDevices(Set.of());

    public OnnxDevices {
        simulated = Set.copyOf(simulated);
    }

    /** DJL's device for a replica's {@code device}. */
    ai.djl.Device djl(Device device) {
        return device.isGpu() ? ai.djl.Device.gpu(device.index()) : ai.djl.Device.cpu();
    }

    /**
     * Why {@code builtin} could not open its session on {@code device}: ONNX Runtime's own message, then
     * what the operator can do about it. Also when {@code failure} is not the provider's (a corrupt
     * model fails on a GPU too): the first line names the device either way.
     */
    Exception unopened(String builtin, Device device, Exception failure) {
        if (!device.isGpu()) {
            return failure;
        }
        StringBuilder message = new StringBuilder(builtin).append(" could not open ").append(device)
                .append(" with ONNX Runtime's CUDA execution provider (no fallback to the CPU): ").append(engineMessage(failure));
        if (simulated.contains(device.index())) {
            message.append("; gpu:").append(device.index()).append(" is simulated (--gpus-simulated): a placement slot with"
                    + " no device behind it, so a built-in placed there cannot run; give it gpu_cost = 0, or run it on a"
                    + " node with real GPUs");
        } else if (!cudaInThisBuild()) {
            message.append("; this node's ONNX Runtime is the CPU-only build: build with -Pgpu (README, GPUs)");
        }
        return new IllegalStateException(message.toString(), failure);
    }

    /** The deepest message in the chain: DJL wraps ONNX Runtime's in "ONNX Model cannot be loaded". */
    private static String engineMessage(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message.strip();
    }

    private static boolean cudaInThisBuild() {
        try {
            return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
