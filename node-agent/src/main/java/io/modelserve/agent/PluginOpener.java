package io.modelserve.agent;

import io.modelserve.agent.artifact.ArtifactCache;
import io.modelserve.agent.builtin.BuiltinBackends;
import io.modelserve.agent.isolation.ChildBackend;
import io.modelserve.agent.isolation.PythonRuntime;
import io.modelserve.agent.plugin.PluginLoader;
import io.modelserve.agent.runtime.OpenedBackend;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a replica's backend: verified artifacts from the cache, then the plugin in its own classloader,
 * or a built-in backend ({@code builtin:<name>}) of the platform; a replica in a child process (a JVM,
 * or Python for a package with {@code backend.py}) gets a proxy to it.
 */
final class PluginOpener implements OpenedBackend.Opener {
    private final ArtifactCache cache;
    private final PluginLoader loader;
    private final BuiltinBackends builtins;

    /** @param devices where built-ins open their sessions: which of this node's GPUs are only simulated */
    private final PythonRuntime python;

    /**
     * @param devices where built-ins open their sessions: which of this node's GPUs are only simulated
     * @param python  where this node keeps Python packages, their environments and models
     */
    PluginOpener(ArtifactCache cache, PluginLoader loader, io.modelserve.agent.builtin.OnnxDevices devices, PythonRuntime python) {
        this.cache = cache;
        this.loader = loader;
        this.builtins = BuiltinBackends.standard(devices);
        this.python = python;
    }

    @Override
    public OpenedBackend open(ReplicaAssignment assignment) throws Exception {
        DeploymentSpec spec = assignment.spec();
        List<Path> models = materialize(spec.models());
        if (spec.isBuiltin()) {
            return new OpenedBackend(builtins.create(spec.backend(), spec.options()), models, () -> { });
        }
        List<Path> jars = materialize(spec.pluginJars());
        if (spec.isolation().isProcess()) {
            // Its own process: the child loads the jars or imports the package; the node keeps only a proxy it can kill.
            Path log = Path.of(System.getProperty("modelserve.logDir", "logs"), "replicas", assignment.replicaId() + "-child.log");
            ChildBackend child = spec.isolation().isPython()
                    ? python.backend(spec, assignment.replicaId(), jars, models, log)
                    : new ChildBackend(spec, assignment.replicaId(), jars, models, log);
            // The child answers its plugin's route only: a TensorModel in a child JVM is not offered on /v2.
            return new OpenedBackend(child, models, child::kill, new io.modelserve.agent.builtin.PluginTensorCalls(spec.name()));
        }
        PluginLoader.LoadedBackend loaded = loader.load(spec.name(), jars, spec.backend());
        // Every plugin: a protocol call never reaches a plugin's route, TensorModel or not.
        return new OpenedBackend(loaded.backend(), models, loaded.classLoader(),
                new io.modelserve.agent.builtin.PluginTensorCalls(spec.name())).withMultiplexed(multiplexed(spec));
    }

    /** A multiplexed section's model files, cached on this node before the replica starts; loaded on demand. */
    private java.util.Map<String, Path> multiplexed(DeploymentSpec spec) throws java.io.IOException {
        java.util.Map<String, Path> files = new java.util.HashMap<>();
        if (spec.isMultiplexed()) {
            for (Artifact model : spec.multiplex().models()) {
                files.put(io.modelserve.cluster.Multiplex.nameOf(model), cache.materialize(model));
            }
        }
        return files;
    }

    private List<Path> materialize(List<Artifact> artifacts) throws java.io.IOException {
        List<Path> paths = new ArrayList<>(artifacts.size());
        for (Artifact artifact : artifacts) {
            paths.add(cache.materialize(artifact));
        }
        return paths;
    }
}
