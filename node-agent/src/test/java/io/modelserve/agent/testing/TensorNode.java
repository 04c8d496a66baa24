package io.modelserve.agent.testing;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.builtin.ModelSignature;
import io.modelserve.agent.builtin.OpenInference;
import io.modelserve.agent.builtin.OpenInferenceEndpoints;
import io.modelserve.agent.builtin.OpenInferenceService;
import io.modelserve.agent.builtin.Tensor;
import io.modelserve.agent.builtin.TensorSignature;
import io.modelserve.agent.builtin.TensorType;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.Request;
import java.util.List;
import java.util.Map;

/**
 * A node's Open Inference Protocol in front of replicas of a fake tensor model, for protocol tests:
 * model {@code Sums} (x FP32 [batch,3], n INT64 [batch] in; the row sums of x and n back), its canary
 * {@code Sums@v2} with traffic 0 (reached only when pinned), {@code Idle} (built-in, no replica) and
 * {@code Plugin} (not built-in). A real {@link Ingress} on 127.0.0.1 with the REST endpoints.
 */
public final class TensorNode implements AutoCloseable {
    public static final ModelSignature SIGNATURE = new ModelSignature(List.of(
            new TensorSignature("x", TensorType.FP32, new long[] {-1, 3}, new String[] {"batch", ""}),
            new TensorSignature("n", TensorType.INT64, new long[] {-1}, new String[] {"batch"})), List.of(
            new TensorSignature("sum", TensorType.FP32, new long[] {-1}),
            new TensorSignature("n", TensorType.INT64, new long[] {-1})));

    public final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    public final RequestBodies bodies = RequestBodies.of(1 << 20);
    public final OpenInferenceService service;
    public final Ingress ingress;
    private final ReplicaFixture fixture = new ReplicaFixture(meters);

    /** What a built-in tensor backend answers, without a model file: row sums. */
    public static Object rowSums(String deployment, Request request) {
        if (OpenInference.isMetadata(request)) {
            return OpenInference.metadata(deployment, SIGNATURE);
        }
        return switch (OpenInference.decode(request.params(), SIGNATURE)) {
            case OpenInference.Invalid invalid -> OpenInference.error(invalid.message());
            case OpenInference.Inputs inputs -> {
                Tensor x = inputs.inputs().get(0);
                float[] values = (float[]) x.data();
                float[] sums = new float[(int) x.shape()[0]];
                for (int i = 0; i < values.length; i++) {
                    sums[i / 3] += values[i];
                }
                yield OpenInference.response(deployment, inputs, List.of(
                        new Tensor("sum", TensorType.FP32, new long[] {sums.length}, sums), inputs.inputs().get(1)));
            }
        };
    }

    public TensorNode() {
        DeploymentSpec main = Specs.deployment("Sums").backend("builtin:onnx").build();
        DeploymentSpec canary = Specs.deployment("Sums@v2").backend("builtin:onnx").build().withRouteOf(main).withTraffic(0);
        DeploymentSpec idle = Specs.deployment("Idle").backend("builtin:onnx").build();
        DeploymentSpec plugin = Specs.deployment("Plugin").build();
        RouteTable routes = new RouteTable();
        routes.update(List.of(main, canary, idle, plugin));
        Map<String, List<Replica>> replicas = Map.of(
                "Sums", List.of(fixture.running(main, "sums-1", new ScriptedBackend(r -> rowSums("Sums", r)))),
                "Sums@v2", List.of(fixture.running(canary, "sums-v2-1", new ScriptedBackend(r -> rowSums("Sums@v2", r)))));
        ReplicaDirectory directory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return replicas.getOrDefault(deployment, List.of());
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }
        };
        Ingress[] started = new Ingress[1];
        ReplicaRouter router = new ReplicaRouter(directory);
        service = new OpenInferenceService(routes, router,
                (spec, replica, status, nanos) -> started[0].record(spec, replica, status, nanos));
        ingress = new Ingress("node-a", routes, router, meters, bodies, () -> Map.of("status", "ok"),
                List.of(new OpenInferenceEndpoints(service, bodies))).start("127.0.0.1", 0);
        started[0] = ingress;
    }

    @Override
    public void close() {
        ingress.close();
        fixture.close();
    }
}
