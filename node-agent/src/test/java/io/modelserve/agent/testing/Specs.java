package io.modelserve.agent.testing;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.List;
import java.util.Map;

/** Builds the {@link DeploymentSpec} of a test deployment; defaults are those of conf.ini. */
public final class Specs {
    private final String name;
    private String route;
    private List<String> methods = List.of("POST");
    private int maxBatchSize = 1;
    private int batchWaitMs = 5;
    private int maxQueued = 100;
    private long timeoutMs = 30_000;
    private Map<String, String> config = Map.of();
    private String backend = "test.ScriptedBackend";

    private Specs(String name) {
        this.name = name;
        this.route = name;
    }

    public static Specs deployment(String name) {
        return new Specs(name);
    }

    public Specs route(String value) {
        route = value;
        return this;
    }

    public Specs methods(String... values) {
        methods = List.of(values);
        return this;
    }

    public Specs batching(int maxBatch, int waitMs) {
        maxBatchSize = maxBatch;
        batchWaitMs = waitMs;
        return this;
    }

    public Specs maxQueued(int value) {
        maxQueued = value;
        return this;
    }

    public Specs timeoutMs(long value) {
        timeoutMs = value;
        return this;
    }

    /** e.g. {@code builtin:onnx}, for what treats built-in deployments apart (Open Inference). */
    public Specs backend(String value) {
        backend = value;
        return this;
    }

    public Specs config(Map<String, String> value) {
        config = value;
        return this;
    }

    public DeploymentSpec build() {
        return DeploymentSpec.of(name, route, methods, backend, List.of(), List.of(), 1,
                new Resources(1000, 0), maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config);
    }

    public static ReplicaAssignment assignment(DeploymentSpec spec, String replicaId) {
        return new ReplicaAssignment(replicaId, spec, "node-test", Device.CPU, null, System.currentTimeMillis());
    }
}
