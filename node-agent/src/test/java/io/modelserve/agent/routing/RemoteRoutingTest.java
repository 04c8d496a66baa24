package io.modelserve.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.agent.transport.Forwarder;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.agent.transport.ReplicaEndpoint;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.DeploymentCallException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that cross nodes: a router on "this" node with no local replica, and real peer nodes
 * (an Ingress with the {@link ReplicaEndpoint} on 127.0.0.1) running real replicas of fake backends.
 */
class RemoteRoutingTest {
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicaFixture fixture = new ReplicaFixture(meters);
    private final List<Ingress> peers = new ArrayList<>();
    private final List<RemoteReplica> remote = new ArrayList<>();

    // A first-byte deadline far above any stall of a loaded build machine: these tests are not about frozen peers.
    private final ReplicaRouter router = new ReplicaRouter(new ReplicaDirectory() {
        @Override
        public List<Replica> running(String deployment) {
            return List.of();
        }

        @Override
        public boolean starting(String deployment) {
            return false;
        }

        @Override
        public List<RemoteReplica> remote(String deployment) {
            return List.copyOf(RemoteRoutingTest.this.remote);
        }
    }, new Forwarder("", new PeerLiveness(), 30_000));

    @AfterEach
    void stop() {
        peers.forEach(Ingress::close);
        fixture.close();
    }

    /** A peer node running one replica of {@code spec}. */
    private Replica peer(String node, DeploymentSpec spec, ScriptedBackend backend) {
        Replica replica = fixture.running(spec, node + "-r", backend);
        Map<String, Replica> local = new ConcurrentHashMap<>(Map.of(replica.id(), replica));
        ReplicaDirectory directory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return List.copyOf(local.values());
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }

            @Override
            public Optional<Replica> local(String replicaId) {
                return Optional.ofNullable(local.get(replicaId));
            }
        };
        ReplicaRouter peerRouter = new ReplicaRouter(directory);
        io.modelserve.agent.memory.RequestBodies bodies = io.modelserve.agent.memory.RequestBodies.of(1 << 20);
        Ingress ingress = new Ingress(node, new RouteTable(), peerRouter, meters, bodies,
                () -> Map.of("status", "ok"), List.of(new ReplicaEndpoint(node, directory, peerRouter, "", bodies)))
                .start("127.0.0.1", 0);
        peers.add(ingress);
        remote.add(new RemoteReplica(replica.id(), spec.name(), node, "http://127.0.0.1:" + ingress.port()));
        return replica;
    }

    @Test
    void aCalleesServiceUnavailableIsTheCallersAnswerAndRunsNowhereElse() {
        DeploymentSpec spec = Specs.deployment("composed").build();
        AtomicInteger runs = new AtomicInteger();
        ScriptedBackend.Answer calleeOverloaded = request -> {
            runs.incrementAndGet();
            throw new DeploymentCallException(503, "callee is overloaded");
        };
        peer("n2", spec, new ScriptedBackend(calleeOverloaded));
        peer("n3", spec, new ScriptedBackend(calleeOverloaded));

        Outcome outcome = router.dispatch(spec, ReplicaFixture.text("hi"));

        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).status()).isEqualTo(503);
        assertThat(((Outcome.Refused) outcome).message()).contains("callee is overloaded");
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void thePluginOnAnotherNodeSeesTheHeadersAndSubPathOfTheRequestAsIfItHadArrivedThere() {
        DeploymentSpec spec = Specs.deployment("echo").build();
        List<io.modelserve.sdk.Request> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        peer("n2", spec, new ScriptedBackend(request -> {
            seen.add(request);
            return "ok";
        }));
        io.modelserve.agent.runtime.JsonRequest sent = ReplicaFixture.text("hi").withSubPath("a/b")
                .withHeaders(Map.of("x-request-id", "abc", "accept", "text/plain, application/json"));

        Outcome outcome = router.dispatch(spec, sent);

        assertThat(outcome).isInstanceOf(Outcome.Served.class);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().headers()).isEqualTo(sent.headers());
        assertThat(seen.getFirst().header("X-Request-Id")).hasValue("abc");
        assertThat(seen.getFirst().subPath()).isEqualTo("a/b");
        assertThat(seen.getFirst().params()).isEqualTo(sent.params());
    }

    @Test
    void aFullRemoteQueueIsARefusalAndTheRequestGoesToAnotherNode() {
        DeploymentSpec spec = Specs.deployment("echo").maxQueued(1).build();
        ScriptedBackend busy = ScriptedBackend.upperCase();
        Replica full = peer("n2", spec, busy);
        Gate gate = busy.holdNextCall();
        ReplicaFixture.submitAccepted(full, "running");
        gate.awaitEntered();
        ReplicaFixture.submitAccepted(full, "queued");
        ScriptedBackend idle = ScriptedBackend.upperCase();
        peer("n3", spec, idle);

        for (int i = 0; i < 4; i++) {
            Outcome.Served served = (Outcome.Served) router.dispatch(spec, ReplicaFixture.text("hi"));
            assertThat(served.node() + "/" + served.replicaId() + " " + served.result()).isEqualTo("n3/n3-r \"HI\"");
        }
        gate.open();
    }
}
