package io.modelserve.agent.isolation;

import io.modelserve.sdk.Device;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables a replica's child process (a JVM, or a Python interpreter) starts with,
 * beside the node's own: the same for every kind of child, so each sees exactly its device.
 *
 * <p>{@code CUDA_VISIBLE_DEVICES} is the device the scheduler assigned ({@code gpu:1@0.5} -> {@code 1}),
 * so CUDA, ONNX Runtime and PyTorch in the child see that one GPU only, as their device 0; a CPU
 * replica gets it empty and sees none, so it cannot take memory on a GPU other replicas were promised.
 * {@code BackendContext.device()} in the child still names the node's index, as {@code status} shows it.
 *
 * @param variables to set, in a stable order
 */
public record ChildEnvironment(Map<String, String> variables) {
    public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

    public ChildEnvironment {
        variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** For a replica placed on {@code device}: offline DJL, no tracking, its GPU (or none) visible. */
    public static ChildEnvironment forReplica(Device device) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("DJL_OFFLINE", "true");
        variables.put("OPT_OUT_TRACKING", "true");
        variables.put(CUDA_VISIBLE_DEVICES, device.isGpu() ? String.valueOf(device.index()) : "");
        return new ChildEnvironment(variables);
    }

    /** Sets the variables on {@code builder}, over whatever the node's own environment had. */
    public ProcessBuilder applyTo(ProcessBuilder builder) {
        builder.environment().putAll(variables);
        return builder;
    }
}
