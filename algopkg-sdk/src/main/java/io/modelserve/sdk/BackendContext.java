package io.modelserve.sdk;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What a replica knows about itself, handed to {@link AlgoBackend#init(BackendContext)}. */
public interface BackendContext {

    /** The deployment's name: the package name of its {@code [algopkg.<name>]} section. */
    String deployment();

    /** This replica's id, unique in the cluster; it appears in the {@code info} field of responses. */
    String replicaId();

    /**
     * The {@code model} files of the deployment, resolved under {@code Model_ZOO} in the order
     * given, each an existing regular file. Empty when the section lists none.
     */
    List<Path> modelPaths();

    /** The deployment's {@code config.*} keys (prefix removed) as they were when the replica started. */
    Map<String, String> config();

    /** The CPU or GPU share the scheduler assigned to this replica. */
    Device device();

    /**
     * A Micrometer registry for the plugin's own meters; everything registered here is exported at
     * {@code /-/metrics} tagged with {@code deployment} and {@code replica}.
     */
    MeterRegistry metrics();

    /**
     * A handle to call another deployment of the cluster by name (model composition), through the
     * same routing, batching and backpressure as an HTTP request.
     *
     * @throws IllegalArgumentException if no deployment has that name
     */
    DeploymentHandle handle(String deployment);
}
