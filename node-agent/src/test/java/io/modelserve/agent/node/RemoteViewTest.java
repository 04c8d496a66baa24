package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.transport.PeerLiveness;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.sdk.Device;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The remote view kept from entry events, and liveness deciding who is dead. */
class RemoteViewTest {
    private final PeerLiveness liveness = new PeerLiveness(() -> 0L, PeerLiveness.DEFAULT_SUSPECT_LAPSE_NANOS);
    private final RemoteView view = new RemoteView("node-a", liveness, node -> Optional.of(node.ingressUrl()));

    private static NodeStatus node(String id, String member) {
        return new NodeStatus(id, member, "127.0.0.1", "http://" + id + ":8000", 1000, 0, false, 0);
    }

    private static Optional<ReplicaStatus> status(String id, String node, ReplicaState state) {
        return Optional.of(new ReplicaStatus(id, "echo", "v1", node, Device.CPU, state, "", null, 0, 0, 0, 0));
    }

    @Test
    void listsRunningReplicasOfOtherLiveNodes() {
        liveness.membersNow(List.of("m-a", "m-b", "m-c"));
        view.nodeChanged("node-a", Optional.of(node("node-a", "m-a")));
        view.nodeChanged("node-b", Optional.of(node("node-b", "m-b")));
        view.nodeChanged("node-c", Optional.of(node("node-c", "m-c")));
        view.statusChanged("echo-a", status("echo-a", "node-a", ReplicaState.RUNNING));
        view.statusChanged("echo-b", status("echo-b", "node-b", ReplicaState.RUNNING));
        view.statusChanged("echo-c", status("echo-c", "node-c", ReplicaState.STARTING));

        assertThat(view.running("echo")).extracting(RemoteReplica::replicaId).containsExactly("echo-b");
        assertThat(view.running("echo").getFirst().baseUrl()).isEqualTo("http://node-b:8000");

        view.statusChanged("echo-c", status("echo-c", "node-c", ReplicaState.RUNNING));
        view.statusChanged("echo-b", Optional.empty());
        assertThat(view.running("echo")).extracting(RemoteReplica::replicaId).containsExactly("echo-c");
    }

    @Test
    void aNodeWhoseMemberLeftDropsOutThoughItsStatusSaysRunning() {
        liveness.membersNow(List.of("m-a", "m-b"));
        view.nodeChanged("node-b", Optional.of(node("node-b", "m-b")));
        view.statusChanged("echo-b", status("echo-b", "node-b", ReplicaState.RUNNING));
        assertThat(view.running("echo")).hasSize(1);

        liveness.memberLeft("m-b");
        view.refresh();

        assertThat(view.running("echo")).isEmpty();
        assertThat(view.knownNodes()).containsExactly("node-b");
    }
}
