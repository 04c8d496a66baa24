package io.modelserve.agent.queue;

import com.hazelcast.core.HazelcastInstance;
import io.modelserve.cluster.ClusterMember;
import io.modelserve.cluster.MemberOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Real Hazelcast members on 127.0.0.1, in a cluster of their own, for the queue's tests. */
final class QueueMembers implements AutoCloseable {
    private final List<HazelcastInstance> members = new ArrayList<>();

    QueueMembers(int count) throws IOException {
        String cluster = "queue-test-" + UUID.randomUUID();
        int first = freePort();
        for (int i = 0; i < count; i++) {
            int port = i == 0 ? first : freePort();
            members.add(ClusterMember.start(new MemberOptions(cluster, "127.0.0.1", port,
                    i == 0 ? List.of() : List.of("127.0.0.1:" + first), false, 8)));
        }
    }

    HazelcastInstance get(int index) {
        return members.get(index);
    }

    List<HazelcastInstance> all() {
        return members;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        members.forEach(HazelcastInstance::shutdown);
    }
}
