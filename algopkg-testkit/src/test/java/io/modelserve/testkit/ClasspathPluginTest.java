package io.modelserve.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.plugin.PluginClassLoader;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClasspathPluginTest {

    /** A plugin on the test classpath. */
    public static class Echo implements AlgoBackend {
        private BackendContext context;

        @Override
        public void init(BackendContext context) {
            this.context = context;
        }

        @Override
        public Object inference(Request request) {
            return Map.of("params", request.params(), "deployment", context.deployment(), "config", context.config(),
                    "loader", getClass().getClassLoader().getName(), "seesAssertJ", sees("org.assertj.core.api.Assertions"));
        }

        private static boolean sees(String name) {
            try {
                Class.forName(name, false, Echo.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
    }

    @Test
    void loadsAClassOfTheTestClasspathInItsOwnPluginClassloader() throws Exception {
        try (TestReplica replica = PluginUnderTest.of(Echo.class).withName("echo").withConfig("k", "v").start()) {
            RouteAnswer answer = replica.route("{\"a\":1}");

            assertThat(replica.backendClass()).isNotSameAs(Echo.class);
            assertThat(replica.backendClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            assertThat(answer.result().path("params").path("a").asInt()).isEqualTo(1);
            assertThat(answer.result().path("deployment").asText()).isEqualTo("echo");
            assertThat(answer.result().path("config").path("k").asText()).isEqualTo("v");
            assertThat(answer.result().path("loader").asText()).isEqualTo("algopkg-echo");
            assertThat(answer.result().path("seesAssertJ").asBoolean()).isFalse();
        }
    }

    @Test
    void leavesThePlatformAndTestToolsOutOfThePluginsClasspath() {
        assertThat(PluginUnderTest.of(Echo.class).jars()).allSatisfy(entry -> assertThat(entry.getFileName().toString())
                .doesNotStartWith("junit-").doesNotStartWith("assertj-").doesNotStartWith("hazelcast-")
                .doesNotStartWith("node-agent").doesNotStartWith("jackson-"));
    }
}
