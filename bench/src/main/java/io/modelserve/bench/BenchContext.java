package io.modelserve.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What a replica gives its plugin, for running a plugin's code in a plain loop without a server. */
record BenchContext(String deployment, List<Path> modelPaths, Map<String, String> config) implements BackendContext {

    @Override
    public String replicaId() {
        return deployment + "-bench";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public MeterRegistry metrics() {
        return new SimpleMeterRegistry();
    }

    @Override
    public DeploymentHandle handle(String other) {
        throw new UnsupportedOperationException("no other deployments in a benchmark loop");
    }
}
