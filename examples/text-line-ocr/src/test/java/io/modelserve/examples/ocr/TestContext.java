package io.modelserve.examples.ocr;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A replica's context without a cluster: CPU, two threads, no other deployments. */
record TestContext(String deployment, List<Path> modelPaths) implements BackendContext {

    @Override
    public String replicaId() {
        return deployment + "-r1";
    }

    @Override
    public Map<String, String> config() {
        return Map.of("threads", "2");
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
        throw new IllegalArgumentException("no deployment " + other + " in a unit test");
    }
}
