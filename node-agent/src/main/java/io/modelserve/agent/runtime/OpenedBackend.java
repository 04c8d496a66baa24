package io.modelserve.agent.runtime;

import io.modelserve.sdk.AlgoBackend;
import java.nio.file.Path;
import java.util.List;

/**
 * A backend instance ready for {@code init}, with its resolved model files and what must be
 * released after {@code close} (the plugin's classloader).
 *
 * @param multiplexed a multiplexed section's model files by model name, cached on this node; empty otherwise
 * @param protocol the protocol calls the invoker answers for it, not its {@code inference} (a plugin's
 *                 Open Inference calls); {@link PluginProtocol#NONE} for a backend that answers them itself
 */
public record OpenedBackend(AlgoBackend backend, List<Path> modelPaths, AutoCloseable resources, PluginProtocol protocol,
        java.util.Map<String, Path> multiplexed) {

    public OpenedBackend {
        multiplexed = multiplexed == null ? java.util.Map.of() : java.util.Map.copyOf(multiplexed);
    }

    public OpenedBackend(AlgoBackend backend, List<Path> modelPaths, AutoCloseable resources) {
        this(backend, modelPaths, resources, PluginProtocol.NONE);
    }

    public OpenedBackend(AlgoBackend backend, List<Path> modelPaths, AutoCloseable resources, PluginProtocol protocol) {
        this(backend, modelPaths, resources, protocol, java.util.Map.of());
    }

    /** This backend with a multiplexed section's model files, by model name. */
    public OpenedBackend withMultiplexed(java.util.Map<String, Path> files) {
        return new OpenedBackend(backend, modelPaths, resources, protocol, files);
    }

    /** Creates the backend of a replica: fetches artifacts, builds the classloader, instantiates. */
    @FunctionalInterface
    public interface Opener {
        OpenedBackend open(io.modelserve.cluster.ReplicaAssignment assignment) throws Exception;
    }
}
