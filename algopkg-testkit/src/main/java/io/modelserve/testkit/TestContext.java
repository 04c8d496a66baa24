package io.modelserve.testkit;

import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A replica's context without a cluster: on CPU, with no other deployment to call. */
record TestContext(String deployment, String replicaId, List<Path> modelPaths, Map<String, String> config,
        MeterRegistry metrics) implements BackendContext {

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DeploymentHandle handle(String name) {
        // What the runtime says for an unknown deployment; a test has no others.
        throw new IllegalArgumentException("no deployment " + name + " (the test kit runs one plugin alone)");
    }
}
