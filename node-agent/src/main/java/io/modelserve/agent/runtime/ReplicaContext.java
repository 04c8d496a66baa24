package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The {@link BackendContext} a replica's plugin sees. */
record ReplicaContext(String deployment, String replicaId, List<Path> modelPaths, Map<String, String> config,
        Device device, MeterRegistry metrics, Function<String, DeploymentHandle> handles) implements BackendContext {

    @Override
    public DeploymentHandle handle(String name) {
        return handles.apply(name);
    }
}
