package io.modelserve.controller.reconcile;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.Resources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Deployment specs for tests, changed one field at a time: {@code spec("llm", 2).withJar("v2")}.
 * Public so the plan and admin tests share them.
 */
public record Specs(String name, String route, List<String> methods, String backend, String jarSeed,
        String modelSeed, int replicas, String cpu, String gpu, int maxBatchSize, int batchWaitMs, int maxQueued,
        long timeoutMs, Map<String, String> config) {

    /** A deployment costing one core, with one plugin jar and one model file. */
    public static Specs spec(String name, int replicas) {
        return new Specs(name, name.toLowerCase(), List.of("POST"), "com.example." + name, "jar-v1", "model-v1",
                replicas, "1", "0", 1, 0, 100, 30_000, Map.of("greeting", "hello"));
    }

    public static Artifact artifact(String name, String seed) {
        return new Artifact(name, sha256(seed), seed.length(), "/srv/" + name);
    }

    public DeploymentSpec build() {
        return DeploymentSpec.of(name, route, methods, backend, List.of(artifact(name + ".jar", jarSeed)),
                List.of(artifact(name + "/weights.bin", modelSeed)), replicas,
                new Resources(Resources.parseMilli(cpu), Resources.parseMilli(gpu)), maxBatchSize, batchWaitMs,
                maxQueued, timeoutMs, config);
    }

    public Specs replicas(int count) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, count, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withJar(String seed) {
        return new Specs(name, route, methods, backend, seed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withModel(String seed) {
        return new Specs(name, route, methods, backend, jarSeed, seed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withBackend(String className) {
        return new Specs(name, route, methods, className, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withCost(String cpuCores, String gpuShare) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, replicas, cpuCores, gpuShare,
                maxBatchSize, batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withBatching(int size, int waitMs) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, replicas, cpu, gpu, size, waitMs,
                maxQueued, timeoutMs, config);
    }

    public Specs withMaxQueued(int queued) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, queued, timeoutMs, config);
    }

    public Specs withRoute(String path) {
        return new Specs(name, path, methods, backend, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withMethods(String... names) {
        return new Specs(name, route, List.of(names), backend, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, config);
    }

    public Specs withTimeout(long millis) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, millis, config);
    }

    public Specs withConfig(Map<String, String> values) {
        return new Specs(name, route, methods, backend, jarSeed, modelSeed, replicas, cpu, gpu, maxBatchSize,
                batchWaitMs, maxQueued, timeoutMs, values);
    }

    private static String sha256(String seed) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
