package io.modelserve.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real members on loopback: who gets in, and what a member without the key can do to the maps. */
class ClusterMemberTest {
    private static final String SECRET = "correct horse battery staple";
    private final List<HazelcastInstance> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(HazelcastInstance::shutdown);
    }

    private HazelcastInstance member(String bind, int port, String secret, List<String> join) {
        HazelcastInstance member = ClusterMember.start(new MemberOptions("mtest", bind, port, join, true, 8, secret));
        started.add(member);
        return member;
    }

    @Test
    void membersWithTheSecretJoinAndOthersAreRefused() {
        HazelcastInstance head = member("127.0.0.1", 5811, SECRET, List.of());
        HazelcastInstance peer = member("127.0.0.1", 5812, SECRET, List.of("127.0.0.1:5811"));
        assertThat(head.getCluster().getMembers()).hasSize(2);

        HazelcastInstance noSecret = member("127.0.0.1", 5813, "", List.of("127.0.0.1:5811"));
        HazelcastInstance wrongSecret = member("127.0.0.1", 5814, "wrong", List.of("127.0.0.1:5811"));
        assertThat(noSecret.getCluster().getMembers()).hasSize(1);
        assertThat(wrongSecret.getCluster().getMembers()).hasSize(1);
        assertThat(head.getCluster().getMembers()).hasSize(2);

        ClusterState state = new ClusterState(head);
        state.nodes().put("n1", new NodeStatus("n1", "u", "127.0.0.1", "http://127.0.0.1:8000", 1000, 0, true, 1));
        assertThat(new ClusterState(peer).nodes().get("n1")).isPresent();
        assertThat(noSecret.getMap("modelserve.nodes").size()).isZero();
    }

    @Test
    void noHazelcastClientConnects() {
        member("127.0.0.1", 5815, SECRET, List.of());
        member("127.0.0.2", 5816, "", List.of());
        for (String address : List.of("127.0.0.1:5815", "127.0.0.2:5816")) {
            for (String name : List.of("mtest", ClusterKeys.of("mtest", SECRET).wireName())) {
                ClientConfig config = new ClientConfig();
                config.setClusterName(name);
                config.getNetworkConfig().addAddress(address);
                config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
                config.setProperty("hazelcast.logging.type", "slf4j");
                assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(config).shutdown())
                        .as("client to %s as %s", address, name).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void entriesWithoutAValidSealReadAsAbsent() {
        HazelcastInstance head = member("127.0.0.1", 5817, SECRET, List.of());
        ClusterState state = new ClusterState(head);
        NodeStatus real = new NodeStatus("n1", "u", "127.0.0.1", "http://127.0.0.1:8000", 1000, 0, true, 1);
        state.nodes().put("n1", real);
        IMap<String, String> raw = head.getMap("modelserve.nodes");
        raw.set("forged", ClusterJson.write(new NodeStatus("forged", "u", "10.9.9.9", "http://10.9.9.9:80", 1, 0, true, 1)));
        raw.set("moved", raw.get("n1")); // a genuine seal, under another key
        String wrongMac = ClusterKeys.of("mtest", "guess").entrySeal().seal("modelserve.nodes", "wrong", ClusterJson.write(real));
        raw.set("wrong", wrongMac);

        assertThat(state.nodes().get("forged")).isEmpty();
        assertThat(state.nodes().get("moved")).isEmpty();
        assertThat(state.nodes().get("wrong")).isEmpty();
        assertThat(state.nodes().values()).containsExactly(real);
        assertThat(state.nodes().entries()).containsOnlyKeys("n1");
    }

    @Test
    void aForgedEntryDoesNotBlockPutIfAbsentAndReplaceComparesSealedTexts() {
        HazelcastInstance head = member("127.0.0.1", 5818, SECRET, List.of());
        ClusterState state = new ClusterState(head);
        head.<String, String>getMap("modelserve.leader").set("lease", ClusterJson.write(new LeaderLease("evil", "u", 99, 0)));
        LeaderLease mine = new LeaderLease("u1", "node-1", 1, 0);
        assertThat(state.leader().putIfAbsent("lease", mine)).isEmpty();
        assertThat(state.leader().get("lease")).contains(mine);
        assertThat(state.leader().putIfAbsent("lease", new LeaderLease("u2", "node-2", 1, 0))).contains(mine);
        LeaderLease next = new LeaderLease("u1", "node-1", 2, 0);
        assertThat(state.leader().replace("lease", mine, next)).isTrue();
        assertThat(state.leader().replace("lease", mine, next)).isFalse();
        assertThat(state.leader().get("lease")).contains(next);
    }
}
