package io.modelserve.examples.textembedding;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A replica's context without a cluster: CPU, no other deployments. */
record TestContext(String replicaId, List<Path> modelPaths, Map<String, String> config) implements BackendContext {

    @Override
    public String deployment() {
        return "TextEmbedding";
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
    public DeploymentHandle handle(String deployment) {
        throw new IllegalArgumentException("no deployment " + deployment + " in a test");
    }
}
