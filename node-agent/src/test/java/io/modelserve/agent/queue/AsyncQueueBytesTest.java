package io.modelserve.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.testing.Await;
import io.modelserve.cluster.ServeSettings;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The queue's cluster-wide byte cap and time-to-live, on two real Hazelcast members. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncQueueBytesTest {
    private static final long CAP = 100_000;

    private final AtomicReference<ServeSettings.MemoryLimits> limits =
            new AtomicReference<>(new ServeSettings.MemoryLimits(0, CAP, 600));
    private QueueMembers members;
    private AsyncQueue first;
    private AsyncQueue second;

    @BeforeAll
    void start() throws Exception {
        members = new QueueMembers(2);
        first = new AsyncQueue(members.get(0), limits::get);
        second = new AsyncQueue(members.get(1), limits::get);
    }

    @AfterAll
    void stop() {
        first.close();
        second.close();
        members.close();
    }

    @BeforeEach
    void empty() {
        limits.set(new ServeSettings.MemoryLimits(0, CAP, 600));
        for (String map : List.of("modelserve.queue.requests", "modelserve.queue.results", QueueBytes.LEDGER)) {
            members.get(0).getMap(map).clear();
        }
        first.recountSoon();
        second.recountSoon();
        first.recountIfOldest();
        second.recountIfOldest();
        assertThat(first.storedBytes()).isZero();
    }

    @Test
    void theCapIsClusterWideAndRefusesWhatDoesNotFit() {
        String deployment = "cap-" + UUID.randomUUID();
        byte[] body = new byte[30_000];

        // Two members accept in turn; the cap counts what both stored.
        assertThat(first.enqueue(request(deployment, body))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(second.enqueue(request(deployment, body))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(first.enqueue(request(deployment, body))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(second.enqueue(request(deployment, body))).isEqualTo(AsyncQueue.Accepted.BYTES_FULL);
        assertThat(first.storedBytes()).isBetween(90_000L, CAP).isEqualTo(second.storedBytes());
        // A small one still fits in what is left.
        assertThat(second.enqueue(request(deployment, new byte[100]))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
    }

    @Test
    void consumingReplacesThePayloadByItsResult() throws Exception {
        String deployment = "consume-" + UUID.randomUUID();
        QueuedRequest request = request(deployment, new byte[50_000]);
        assertThat(first.enqueue(request)).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        long queued = first.storedBytes();

        QueuedRequest taken = second.take(deployment, "node-b", 5_000).orElseThrow();
        assertThat(taken.body()).hasSize(50_000);
        second.finish(new QueuedResult(taken.id(), QueuedResult.DONE, 200,
                JsonNodeFactory.instance.objectNode().put("status", 1).put("result", "ok"), "node-b", 0));

        assertThat(queued).isGreaterThan(50_000);
        assertThat(first.storedBytes()).isLessThan(1_000).isPositive();
        assertThat(first.result(taken.id()).orElseThrow().finished()).isTrue();
    }

    @Test
    void expiredWorkGivesItsBytesBack() {
        limits.set(new ServeSettings.MemoryLimits(0, CAP, 1));
        String deployment = "ttl-" + UUID.randomUUID();
        QueuedRequest request = request(deployment, new byte[60_000]);
        assertThat(first.enqueue(request)).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        assertThat(first.enqueue(request(deployment, new byte[60_000]))).isEqualTo(AsyncQueue.Accepted.BYTES_FULL);

        // Hazelcast removes expired entries lazily (a background sweep); the refund follows the removal.
        Await.until("the expired request's bytes are refunded", () -> {
            members.get(0).getMap(QueueBytes.LEDGER).get(request.id()); // reading an expired entry removes it
            return first.storedBytes() == 0;
        });
        assertThat(first.result(request.id())).isEmpty();
        assertThat(first.enqueue(request(deployment, new byte[60_000]))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
    }

    @Test
    void aRecountRepairsADriftedTotal() {
        String deployment = "recount-" + UUID.randomUUID();
        assertThat(first.enqueue(request(deployment, new byte[10_000]))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        long right = first.storedBytes();
        members.get(1).getMap(QueueBytes.USAGE).set("total", 99_000L); // as if a member died mid-charge

        first.recountSoon();
        second.recountSoon();
        long counted = second.recountIfOldest() >= 0 ? second.storedBytes() : first.recountIfOldest();

        assertThat(counted).isEqualTo(right);
        assertThat(first.storedBytes()).isEqualTo(right);
    }

    private static QueuedRequest request(String deployment, byte[] body) {
        return new QueuedRequest(UUID.randomUUID().toString(), deployment, Map.of("lang", List.of("en")),
                "application/octet-stream", System.currentTimeMillis(), "node-a", body);
    }
}
