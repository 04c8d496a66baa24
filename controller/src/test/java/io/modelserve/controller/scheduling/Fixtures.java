package io.modelserve.controller.scheduling;

import io.modelserve.cluster.Resources;
import io.modelserve.sdk.Device;
import java.util.List;

/** Short builders so each test reads as its cluster: amounts are written as in conf.ini ("0.5"). */
final class Fixtures {

    private Fixtures() {
    }

    static NodeCapacity node(String id, String cpu, int gpus) {
        return new NodeCapacity(id, Resources.parseMilli(cpu), gpus);
    }

    static Resources cost(String cpu, String gpu) {
        return new Resources(Resources.parseMilli(cpu), Resources.parseMilli(gpu));
    }

    static ReplicaRequest request(String replicaId, String deployment, String cpu, String gpu) {
        return new ReplicaRequest(replicaId, deployment, cost(cpu, gpu));
    }

    static Allocation running(String replicaId, String deployment, String nodeId, String cpu, String gpu,
            Device device) {
        return new Allocation(replicaId, deployment, nodeId, cost(cpu, gpu), device);
    }

    static ClusterView view(List<NodeCapacity> nodes, Allocation... allocations) {
        return new ClusterView(nodes, List.of(allocations));
    }

    static ClusterView view(NodeCapacity... nodes) {
        return new ClusterView(List.of(nodes), List.of());
    }
}
