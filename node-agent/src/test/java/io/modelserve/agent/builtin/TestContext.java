package io.modelserve.agent.builtin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A replica's context without a cluster: CPU unless a device is given, no other deployments. */
record TestContext(String deployment, List<Path> modelPaths, Device device) implements BackendContext {

    TestContext(String deployment, List<Path> modelPaths) {
        this(deployment, modelPaths, Device.CPU);
    }

    @Override
    public String replicaId() {
        return deployment + "-r1";
    }

    @Override
    public Map<String, String> config() {
        return Map.of();
    }

    @Override
    public MeterRegistry metrics() {
        return new SimpleMeterRegistry();
    }

    @Override
    public DeploymentHandle handle(String other) {
        throw new IllegalArgumentException("no deployment " + other + " in a test");
    }
}
