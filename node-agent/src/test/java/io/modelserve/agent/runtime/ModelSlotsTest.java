package io.modelserve.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.MultiModelBackend;
import io.modelserve.sdk.Request;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSlotsTest {
    /** Records what the replica asked of it. */
    static final class RecordingBackend implements MultiModelBackend {
        final List<String> calls = new ArrayList<>();
        String failing = "";

        @Override
        public void init(BackendContext context) {}

        @Override
        public Object inference(Request request) {
            return null;
        }

        @Override
        public void load(String model, Path path) {
            if (model.equals(failing)) {
                throw new IllegalStateException("broken " + model);
            }
            calls.add("load " + model + " " + path.getFileName());
        }

        @Override
        public void unload(String model) {
            calls.add("unload " + model);
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingBackend backend = new RecordingBackend();
    private final ModelSlots slots = new ModelSlots(2, Map.of("a", Path.of("a.txt"), "b", Path.of("b.txt"),
            "c", Path.of("c.txt")), registry, message -> { });

    private double count(String name, String result) {
        var search = registry.find(name);
        return (result == null ? search : search.tag("result", result)).counter().count();
    }

    @Test
    void loadsOnFirstUseAndEvictsTheLeastRecentlyUsed() throws Exception {
        assertThat(slots.use(backend, "a", true)).isEqualTo(ModelSlots.Use.LOADED);
        assertThat(slots.use(backend, "b", true)).isEqualTo(ModelSlots.Use.LOADED);
        assertThat(slots.use(backend, "a", true)).isEqualTo(ModelSlots.Use.HIT); // b is now least recently used
        assertThat(slots.use(backend, "c", true)).isEqualTo(ModelSlots.Use.LOADED);

        assertThat(backend.calls).containsExactly("load a a.txt", "load b b.txt", "unload b", "load c c.txt");
        assertThat(slots.loaded()).containsExactly("a", "c");
        assertThat(count("modelserve.model.loads", "hit")).isEqualTo(1);
        assertThat(count("modelserve.model.loads", "miss")).isEqualTo(3);
        assertThat(count("modelserve.model.evictions", null)).isEqualTo(1);
    }

    @Test
    void aFailedLoadLeavesTheModelUnloadedAndIsCounted() {
        backend.failing = "a";

        assertThatThrownBy(() -> slots.use(backend, "a", true)).hasMessageContaining("broken a");
        assertThat(slots.loaded()).isEmpty();
        assertThat(count("modelserve.model.load.failures", null)).isEqualTo(1);
    }

    @Test
    void explicitLoadsAndUnloadsAreNotRequests() throws Exception {
        slots.use(backend, "a", false);

        assertThat(slots.unload(backend, "a")).isTrue();
        assertThat(slots.unload(backend, "a")).isFalse();
        assertThat(backend.calls).containsExactly("load a a.txt", "unload a");
        assertThat(count("modelserve.model.loads", "miss")).isZero();
        assertThat(slots.knows("zzz")).isFalse();
    }
}
