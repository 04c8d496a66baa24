package io.modelserve.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.hazelcast.core.HazelcastInstance;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.MemberOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The async queue on a real (single) Hazelcast member on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncQueueTest {
    private HazelcastInstance hazelcast;
    private AsyncQueue queue;

    @BeforeAll
    void start() {
        hazelcast = ClusterMember.start(new MemberOptions("queue-test-" + ThreadLocalRandom.current().nextInt(1_000_000),
                "127.0.0.1", 5900 + ThreadLocalRandom.current().nextInt(90), List.of(), false, 5));
        queue = new AsyncQueue(hazelcast, () -> io.modelserve.cluster.ServeSettings.MemoryLimits.DEFAULTS);
    }

    @AfterAll
    void stop() {
        queue.close();
        hazelcast.shutdown();
    }

    private QueuedRequest request(String id, String deployment) {
        return new QueuedRequest(id, deployment, java.util.Map.of(), "application/json", System.currentTimeMillis(), "n1",
                new byte[0]);
    }

    @Test
    void workOfALostNodeRunsAgainOnlyWhereTheDeploymentAllowsIt() throws Exception {
        assertThat(queue.enqueue(request("a", "idempotent"))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(queue.enqueue(request("b", "once-only"))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(queue.take("idempotent", "lost-node", 1_000)).isPresent();
        assertThat(queue.take("once-only", "lost-node", 1_000)).isPresent();

        int requeued = queue.requeueTakenBy(Set.of("n1"), deployment -> deployment.equals("idempotent"));

        assertThat(requeued).isEqualTo(1);
        assertThat(queue.result("a").orElseThrow().state()).isEqualTo(QueuedResult.PENDING);
        assertThat(queue.take("idempotent", "n1", 1_000)).map(QueuedRequest::id).hasValue("a");
        QueuedResult failed = queue.result("b").orElseThrow();
        assertThat(failed.state()).isEqualTo(QueuedResult.FAILED);
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.envelope().path("error").asText()).contains("not retried (retry = false)");
        assertThat(queue.take("once-only", "n1", 100)).isEmpty();
    }

    @Test
    void forgedQueueEntriesAreIgnored() throws Exception {
        // A writer without the cluster's key: a request id in the queue with an unsealed request,
        // an unsealed result, and a "taken" entry naming a lost node.
        String forged = io.modelserve.cluster.ClusterJson.write(request("f1", "forged"));
        hazelcast.<String, String>getMap("modelserve.queue.requests").set("f1", forged);
        hazelcast.<String, String>getMap("modelserve.queue.results").set("f2", io.modelserve.cluster.ClusterJson.write(
                new QueuedResult("f2", QueuedResult.DONE, 200, JsonNodeFactory.instance.objectNode(), "evil", 0)));
        hazelcast.<String, String>getMap("modelserve.queue.taken").set("f1", "gone-node");
        hazelcast.<String>getQueue("modelserve.queue.forged").offer("f1");

        assertThat(queue.take("forged", "n1", 1_000)).isEmpty();
        assertThat(queue.result("f2")).isEmpty();
        assertThat(queue.requeueTakenBy(Set.of("n1"), deployment -> true)).isZero();
        assertThat(hazelcast.getQueue("modelserve.queue.forged")).isEmpty();

        assertThat(queue.enqueue(request("real", "forged"))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(queue.take("forged", "n1", 1_000)).map(QueuedRequest::id).hasValue("real");
    }

    @Test
    void depthAndTheAgeOfTheRequestNextInLineAreExportedPerDeployment() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(queue.enqueue(new QueuedRequest("w1", "waiting", java.util.Map.of(), "", now - 7_000, "n1", new byte[0])))
                .isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(queue.enqueue(new QueuedRequest("w2", "waiting", java.util.Map.of(), "", now - 1_000, "n1", new byte[0])))
                .isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        QueueMeters queueMeters = new QueueMeters(queue, meters);

        queueMeters.sampleIfDue(List.of("waiting", "idle"), now);

        assertThat(meters.get("modelserve.queue.depth").tags("deployment", "waiting").gauge().value()).isEqualTo(2);
        assertThat(meters.get("modelserve.queue.oldest.age").tags("deployment", "waiting").gauge().value()).isEqualTo(7.0);
        assertThat(meters.get("modelserve.queue.depth").tags("deployment", "idle").gauge().value()).isZero();
        assertThat(meters.get("modelserve.queue.oldest.age").tags("deployment", "idle").gauge().value()).isZero();

        assertThat(queue.take("waiting", "n1", 1_000)).map(QueuedRequest::id).hasValue("w1");
        queueMeters.sampleIfDue(List.of("waiting"), now + 1_000);
        assertThat(meters.get("modelserve.queue.depth").tags("deployment", "waiting").gauge().value())
                .as("sampled at most every 2 s").isEqualTo(2);
        queueMeters.sampleIfDue(List.of("waiting"), now + 2_000);
        assertThat(meters.get("modelserve.queue.depth").tags("deployment", "waiting").gauge().value()).isEqualTo(1);
        assertThat(meters.get("modelserve.queue.oldest.age").tags("deployment", "waiting").gauge().value()).isEqualTo(3.0);
        assertThat(meters.find("modelserve.queue.depth").tags("deployment", "idle").gauge())
                .as("a deployment gone takes its rows with it").isNull();
    }
}
