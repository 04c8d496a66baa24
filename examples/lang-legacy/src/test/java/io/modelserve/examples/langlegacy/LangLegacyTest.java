package io.modelserve.examples.langlegacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.testkit.PluginUnderTest;
import io.modelserve.testkit.RouteAnswer;
import io.modelserve.testkit.TestReplica;
import org.junit.jupiter.api.Test;

class LangLegacyTest {

    /** In its own plugin classloader, as on a node: the commons-lang3 it sees is the one it ships. */
    @Test
    void reportsTheBundledCommonsLang3() throws Exception {
        try (TestReplica replica = PluginUnderTest.of(LangLegacy.class).start()) {
            RouteAnswer answer = replica.route("{\"text\":\"hello from the legacy plugin\"}");

            assertThat(answer.httpStatus()).as(answer.body()).isEqualTo(200);
            assertThat(answer.result().toString()).isEqualTo(
                    "{\"library\":\"commons-lang3\",\"version\":\"3.12.0\",\"jar\":\"commons-lang3-3.12.0.jar\",\"result\":\"Hello from the le...\"}");
        }
    }
}
