package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.reconcile.FakeControllerStore;
import io.modelserve.controller.reconcile.OwnedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigApplierTest {
    @TempDir
    Path dir;
    Path conf;
    final FakeControllerStore store = new FakeControllerStore();
    final AtomicBoolean leads = new AtomicBoolean(true);

    static String text(String token, int replicas) {
        return "[MODEL SERVE]\n" + (token == null ? "" : "admin_token = " + token + "\n")
                + "[algopkg.Echo]\nbackend = builtin:echo\nroute = echo\nreplicas = " + replicas + "\n";
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("algopkg"));
        Files.createDirectories(dir.resolve("Model_ZOO"));
        conf = dir.resolve("conf.ini");
    }

    ConfigApplier applier(Map<String, String> env) {
        return new ConfigApplier(store, OwnedState.inMemory(), new ConfigParser(Set.of("echo"), env::get), leads::get,
                () -> 42L, () -> {});
    }

    ConfigApplier applier() {
        return applier(Map.of());
    }

    @Test
    void theTokenNeverEntersTheClusterOnlyItsSaltedHash() {
        ConfigApplier applier = applier();
        ConfigApplier.Result result = applier.apply(conf, text("Qk1#Zx2;token", 1), false);

        AppliedConfig applied = store.applied().orElseThrow();
        assertThat(result.applied()).isTrue();
        assertThat(applied.text()).contains("admin_token = <hidden>").doesNotContain("Qk1").doesNotContain("Zx2");
        assertThat(applied.settings().adminToken()).startsWith("pbkdf2-sha256$").doesNotContain("Qk1");
        assertThat(AdminTokenHash.matches(applied.settings().adminToken(), "Qk1#Zx2;token")).isTrue();
        assertThat(AdminTokenHash.matches(applied.settings().adminToken(), "Qk1#Zx2;tokeN")).isFalse();
    }

    @Test
    void theSameTokenKeepsItsHashAndThePlaceholderKeepsTheTokenInForce() {
        ConfigApplier applier = applier();
        applier.apply(conf, text("tok-1", 1), false);
        String hash = store.applied().orElseThrow().settings().adminToken();

        ConfigApplier.Result same = applier.apply(conf, text("tok-1", 1), false);
        ConfigApplier.Result edited = applier.apply(conf, text("<hidden>", 2), false);

        assertThat(same.generation()).as("nothing changed, nothing written").isEqualTo(1);
        assertThat(edited.generation()).isEqualTo(2);
        assertThat(store.applied().orElseThrow().settings().adminToken()).isEqualTo(hash);
        applier.apply(conf, text("tok-2", 2), false);
        assertThat(AdminTokenHash.matches(store.applied().orElseThrow().settings().adminToken(), "tok-2")).isTrue();
    }

    @Test
    void twoHeadsApplyingInTurnNeverShareAGeneration() {
        ConfigApplier one = applier();
        ConfigApplier other = applier(); // its own record, the same cluster

        long[] generations = {
                one.apply(conf, text(null, 1), false).generation(),
                other.apply(conf, text(null, 2), false).generation(),
                one.apply(conf, text(null, 3), false).generation(),
                other.apply(conf, text(null, 4), false).generation()};

        assertThat(generations).containsExactly(1, 2, 3, 4);
    }

    @Test
    void onlyTheLeaderApplies() {
        leads.set(false);
        ConfigApplier.Result result = applier().apply(conf, text(null, 1), false);

        assertThat(result.refusal()).isEqualTo(ConfigApplier.Refusal.NOT_LEADER);
        assertThat(store.applied()).isEmpty();
        assertThat(store.desired()).isEmpty();
    }
}
