package io.modelserve.controller.reconcile;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.sdk.Device;
import org.junit.jupiter.api.Test;

class SnapshotStoreTest {
    private final FakeControllerStore backing = new FakeControllerStore();

    @Test
    void readsOnceAndSeesItsOwnWrites() {
        backing.addNode("n1", "8", 0);
        backing.apply(spec("llm", 1).build());
        SnapshotStore snapshot = new SnapshotStore(backing);
        ReplicaAssignment a = new ReplicaAssignment("llm-1", spec("llm", 1).build(), "n1", Device.CPU, null, 0);

        snapshot.putAssignment(a);
        backing.addNode("n2", "8", 0);

        assertThat(snapshot.assignments()).containsExactly(a);
        assertThat(backing.assignments()).containsExactly(a);
        assertThat(snapshot.liveNodes()).hasSize(1);

        snapshot.removeAssignment("llm-1");
        assertThat(snapshot.assignments()).isEmpty();
        assertThat(backing.assignments()).isEmpty();
    }

    @Test
    void removingWhatItNeverSawDoesNotTouchTheBackingStore() {
        SnapshotStore snapshot = new SnapshotStore(backing);

        snapshot.removeAssignment("nobody");

        assertThat(backing.writes()).isZero();
    }
}
