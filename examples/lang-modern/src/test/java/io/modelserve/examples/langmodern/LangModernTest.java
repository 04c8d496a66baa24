package io.modelserve.examples.langmodern;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.testkit.PluginUnderTest;
import io.modelserve.testkit.TestReplica;
import org.junit.jupiter.api.Test;

class LangModernTest {

    /** In its own plugin classloader, as on a node: the commons-lang3 it sees is the one it ships. */
    @Test
    void reportsTheBundledCommonsLang3() throws Exception {
        try (TestReplica replica = PluginUnderTest.of(LangModern.class).start()) {
            JsonNode result = replica.inference("{\"text\":\"hello from the modern plugin\"}");

            assertThat(result.path("library").asText()).isEqualTo("commons-lang3");
            assertThat(result.path("version").asText()).isEqualTo("3.18.0");
            assertThat(result.path("jar").asText()).isEqualTo("commons-lang3-3.18.0.jar");
            assertThat(result.path("result").asText()).isEqualTo("Hello from the mo...");
            assertThat(result.path("greeting").asBoolean()).isTrue();
        }
    }
}
