package io.modelserve.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.node.HazelcastAgentStore;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.agent.runtime.OpenedBackend;
import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.ClusterState;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.MemberOptions;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.sdk.Device;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A node wired by {@link NodeAssembly} on a real Hazelcast member, its replicas over a fake opener. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeAssemblyTest {
    private HazelcastInstance hazelcast;
    private ClusterState state;

    @BeforeAll
    void startMember() throws Exception {
        hazelcast = ClusterMember.start(new MemberOptions("node-assembly-test", "127.0.0.1", freePort(), List.of(), true, 8));
        state = new ClusterState(hazelcast);
    }

    @AfterAll
    void stopMember() {
        hazelcast.shutdown();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Answers its params; keeps nothing, so a long load costs no memory. */
    private static final class Echo implements io.modelserve.sdk.AlgoBackend {
        @Override
        public void init(io.modelserve.sdk.BackendContext context) {}

        @Override
        public Object inference(io.modelserve.sdk.Request request) {
            return request.params();
        }
    }

    private NodeAssembly node(String nodeId) throws Exception {
        OpenedBackend.Opener opener = assignment -> new OpenedBackend(new Echo(), List.of(), () -> { });
        return new NodeAssembly(state, new AgentOptions(nodeId, "127.0.0.1", freePort(), 4_000, 0,
                Files.createTempDirectory("node-assembly"), false), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                opener).start();
    }

    /**
     * Under a constant load (which changes {@code ongoing} all the time) a node writes its replica's
     * status at most once per refresh interval (2 s). Measured on a 2-core machine before the throttle
     * was keyed on the last write: 37 writes in 10 s; after: 4.
     */
    @Test
    void statusWritesStayFewUnderAConstantLoad() throws Exception {
        DeploymentSpec spec = Specs.deployment("busy").build();
        state.deployments().put(spec.name(), spec);
        state.assignments().put("busy-1", new ReplicaAssignment("busy-1", spec, "node-busy", Device.CPU, null, 0));
        try (NodeAssembly node = node("node-busy")) {
            Await.until("busy-1 to be RUNNING", () -> node.router().hasReady("busy"));
            Await.until("its RUNNING status", () -> state.replicas().get("busy-1")
                    .map(s -> s.state() == ReplicaState.RUNNING).orElse(false));
            AtomicInteger writes = new AtomicInteger();
            java.util.UUID listener = state.replicas().onChange(key -> writes.incrementAndGet());
            AtomicLong served = new AtomicLong();
            long seconds = 6;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Thread[] clients = new Thread[8];
            for (int i = 0; i < clients.length; i++) {
                clients[i] = Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < end) {
                        Outcome outcome = node.router().dispatch(spec,
                                new JsonRequest(JsonNodeFactory.instance.objectNode().put("text", "x"), null, "application/json"));
                        if (outcome instanceof Outcome.Served) {
                            served.incrementAndGet();
                        }
                    }
                });
            }
            for (Thread client : clients) {
                client.join();
            }
            state.replicas().removeListener(listener);
            System.out.printf("status writes under load: %d in %d s (%.2f/s), %d requests served%n", writes.get(), seconds,
                    writes.get() / (double) seconds, served.get());
            assertThat(served.get()).isPositive();
            assertThat(writes.get()).as("one load write per 2 s at most").isLessThanOrEqualTo((int) (seconds / 2) + 1);
        } finally {
            state.assignments().remove("busy-1");
            state.deployments().remove("busy");
        }
    }

    @Test
    void theStoreHearsOnlyOfThisNodesAssignmentsAndNothingAfterClose() {
        DeploymentSpec spec = Specs.deployment("mixed").build();
        AtomicInteger changes = new AtomicInteger();
        HazelcastAgentStore store = new HazelcastAgentStore(state, "node-a", changes::incrementAndGet).start();
        int afterStart = changes.get();

        state.assignments().put("mixed-b", new ReplicaAssignment("mixed-b", spec, "node-b", Device.CPU, null, 0));
        state.assignments().put("mixed-a", new ReplicaAssignment("mixed-a", spec, "node-a", Device.CPU, null, 0));
        Await.until("node-a's assignment to arrive", () -> !store.assignments().isEmpty());

        assertThat(store.assignments()).extracting(ReplicaAssignment::replicaId).containsExactly("mixed-a");
        assertThat(changes.get() - afterStart).as("woken for its own assignment only").isEqualTo(1);

        state.assignments().put("mixed-a", new ReplicaAssignment("mixed-a", spec, "node-b", Device.CPU, null, 0));
        Await.until("the moved assignment to leave node-a", () -> store.assignments().isEmpty());

        store.close();
        int afterClose = changes.get();
        state.assignments().put("mixed-c", new ReplicaAssignment("mixed-c", spec, "node-a", Device.CPU, null, 0));
        state.deployments().put(spec.name(), spec);
        // A marker event on a listener that stays: once it is seen, the store's events would have come too.
        AtomicInteger marker = new AtomicInteger();
        java.util.UUID probe = state.deployments().onChange(key -> marker.incrementAndGet());
        state.deployments().put(spec.name(), Specs.deployment("mixed").maxQueued(7).build());
        Await.until("the marker event", () -> marker.get() > 0);
        state.deployments().removeListener(probe);
        assertThat(changes.get()).as("no listener left after close").isEqualTo(afterClose);
        state.assignments().remove("mixed-a");
        state.assignments().remove("mixed-b");
        state.assignments().remove("mixed-c");
        state.deployments().remove("mixed");
    }
}
