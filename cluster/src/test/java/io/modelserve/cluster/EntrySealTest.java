package io.modelserve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EntrySealTest {
    private static final String JSON = "{\"name\":\"Foo\",\"replicas\":2}";
    private final EntrySeal seal = ClusterKeys.of("modelserve", "s3cret-s3cret").entrySeal();

    @Test
    void aSealedEntryOpensWhereItWasWritten() {
        String sealed = seal.seal("modelserve.deployments", "Foo", JSON);
        assertThat(seal.open("modelserve.deployments", "Foo", sealed)).contains(JSON);
        assertThat(sealed).as("deterministic: conditional replace compares texts")
                .isEqualTo(seal.seal("modelserve.deployments", "Foo", JSON));
    }

    @Test
    void changingAnyByteBreaksTheSeal() {
        String sealed = seal.seal("modelserve.deployments", "Foo", JSON);
        for (int i = 0; i < sealed.length(); i++) {
            char flipped = sealed.charAt(i) == 'a' ? 'b' : 'a';
            String tampered = sealed.substring(0, i) + flipped + sealed.substring(i + 1);
            assertThat(seal.open("modelserve.deployments", "Foo", tampered)).as("byte %d", i).isEmpty();
        }
    }

    @Test
    void anEntryCannotMoveToAnotherKeyOrMap() {
        String sealed = seal.seal("modelserve.deployments", "Foo", JSON);
        assertThat(seal.open("modelserve.deployments", "Bar", sealed)).isEmpty();
        assertThat(seal.open("modelserve.assignments", "Foo", sealed)).isEmpty();
        // length-prefixed fields: shifting a character between map and key changes the MAC
        String shifted = seal.seal("ab", "c", JSON);
        assertThat(seal.open("a", "bc", shifted)).isEmpty();
    }

    @Test
    void anotherSecretOrNoSecretDoesNotVerify() {
        String sealed = seal.seal("modelserve.nodes", "node-1", JSON);
        assertThat(ClusterKeys.of("modelserve", "other").entrySeal().open("modelserve.nodes", "node-1", sealed)).isEmpty();
        assertThat(ClusterKeys.of("modelserve", "").entrySeal().open("modelserve.nodes", "node-1", sealed)).isEmpty();
        String unsecured = ClusterKeys.of("modelserve", "").entrySeal().seal("modelserve.nodes", "node-1", JSON);
        assertThat(seal.open("modelserve.nodes", "node-1", unsecured)).isEmpty();
    }

    @Test
    void plainJsonAndGarbageAreRejected() {
        assertThat(seal.open("m", "k", JSON)).isEmpty();
        assertThat(seal.open("m", "k", "ms1.")).isEmpty();
        assertThat(seal.open("m", "k", "ms1.." + JSON)).isEmpty();
        assertThat(seal.open("m", "k", "ms1.AAAA." + JSON)).isEmpty();
        assertThat(seal.open("m", "k", null)).isEmpty();
        assertThat(seal.open("m", "k", "")).isEmpty();
    }

    @Test
    void derivedValuesNeverContainTheSecretAndDifferPerSecret() {
        ClusterKeys keys = ClusterKeys.of("modelserve", "s3cret-s3cret");
        assertThat(keys.wireName()).startsWith("modelserve-").hasSize("modelserve-".length() + 32)
                .doesNotContain("s3cret");
        assertThat(keys.httpToken()).hasSize(64).doesNotContain("s3cret");
        assertThat(keys.wireName()).isNotEqualTo(ClusterKeys.of("modelserve", "other").wireName())
                .isEqualTo(ClusterKeys.of("modelserve", "s3cret-s3cret").wireName());
        assertThat(keys.toString()).doesNotContain("s3cret");
        assertThat(ClusterKeys.of("modelserve", "").wireName()).isEqualTo("modelserve");
        assertThat(ClusterKeys.of("modelserve", "").httpToken()).isEmpty();
    }
}
