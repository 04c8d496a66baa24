package io.modelserve.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import io.modelserve.cluster.ServeSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the async queue costs Hazelcast per payload byte, counting backups, on three real members
 * (two backups each, as the cluster is configured). Each payload is stored once per copy: the floor
 * is 3.0. Before payloads were stored raw, a JSON body cost 7.0 (base64 of the body beside its decoded
 * params, as JSON text) and a binary one 4.0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueAmplificationTest {
    private static final int PAYLOADS = 20;
    private static final int SIZE = 256 * 1024;
    private static final List<String> MAPS = List.of("modelserve.queue.requests", "modelserve.queue.results",
            QueueBytes.LEDGER, QueueBytes.USAGE, "modelserve.queue.taken");

    private QueueMembers members;
    private AsyncQueue queue;

    @BeforeAll
    void start() throws Exception {
        members = new QueueMembers(3);
        queue = new AsyncQueue(members.get(0), () -> new ServeSettings.MemoryLimits(0, 1L << 30, 600));
    }

    @AfterAll
    void stop() {
        queue.close();
        members.close();
    }

    @Test
    void aJsonBodyIsStoredOncePerCopy() {
        byte[] body = ("{\"text\":\"" + "a".repeat(SIZE - 11) + "\"}").getBytes(StandardCharsets.UTF_8);
        double amplification = measure("json", body, "application/json");

        assertThat(amplification).isBetween(2.9, 3.1);
    }

    @Test
    void aBinaryBodyIsStoredOncePerCopy() {
        byte[] body = new byte[SIZE];
        new java.util.Random(7).nextBytes(body);
        double amplification = measure("binary", body, "image/png");

        assertThat(amplification).isBetween(2.9, 3.1);
    }

    private double measure(String kind, byte[] body, String contentType) {
        long before = held();
        for (int i = 0; i < PAYLOADS; i++) {
            assertThat(queue.enqueue(new QueuedRequest(UUID.randomUUID().toString(), "amp-" + kind, Map.of(), contentType,
                    System.currentTimeMillis(), "node-a", body))).isEqualTo(AsyncQueue.Accepted.ACCEPTED);
        }
        long held = held() - before;
        double amplification = (double) held / ((long) PAYLOADS * body.length);
        System.out.printf("queue amplification (%s body): %d payloads of %d bytes, %d bytes held in Hazelcast"
                + " (3 members, owners + 2 backups): %.2f bytes per payload byte%n", kind, PAYLOADS, body.length, held,
                amplification);
        return amplification;
    }

    private long held() {
        long total = 0;
        for (HazelcastInstance member : members.all()) {
            for (String name : MAPS) {
                IMap<Object, Object> map = member.getMap(name);
                LocalMapStats stats = map.getLocalMapStats();
                total += stats.getOwnedEntryMemoryCost() + stats.getBackupEntryMemoryCost();
            }
        }
        return total;
    }
}
