package io.modelserve.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.agent.plugin.PluginClassLoader;
import io.modelserve.agent.plugin.PluginLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestReplicaTest {
    private static final String GREETER = """
            package demo;

            import io.modelserve.sdk.*;
            import java.nio.file.*;
            import java.util.*;

            public class Greeter implements AlgoBackend {
                private String greeting;
                private String word;
                private Thread thread;
                private Path closeMarker;

                public void init(BackendContext context) throws Exception {
                    thread = Thread.currentThread();
                    greeting = context.config().getOrDefault("greeting", "hello");
                    word = Files.readString(context.modelPaths().get(0)).strip();
                    closeMarker = Path.of(context.config().get("closeMarker"));
                }

                public Object inference(Request request) throws Exception {
                    String name = request.params().path("name").asText("");
                    if (name.isEmpty()) {
                        throw new IllegalArgumentException("missing 'name'");
                    }
                    if (name.equals("thread")) {
                        return Map.of("sameThread", thread == Thread.currentThread(),
                                "contextLoaderIsPlugin", Thread.currentThread().getContextClassLoader() == getClass().getClassLoader(),
                                "seesHazelcast", sees("com.hazelcast.core.Hazelcast"),
                                "seesJUnit", sees("org.junit.jupiter.api.Test"));
                    }
                    if (name.equals("headers")) {
                        return Map.of("requestId", request.header("X-REQUEST-ID").orElse("none"), "headers", request.headers());
                    }
                    if (name.equals("socket")) {
                        return new java.net.Socket(); // not JSON-serialisable
                    }
                    return Map.of("text", greeting + ", " + name + " " + word);
                }

                public List<Object> inferenceBatch(List<Request> batch) throws Exception {
                    if (batch.size() == 3) {
                        return List.of("only one");
                    }
                    List<Object> results = new ArrayList<>();
                    for (Request request : batch) {
                        try {
                            results.add(inference(request));
                        } catch (Exception e) {
                            results.add(e);
                        }
                    }
                    return results;
                }

                public void reconfigure(Map<String, String> config) {
                    if (config.containsKey("bad")) {
                        throw new IllegalStateException("bad config");
                    }
                    greeting = config.getOrDefault("greeting", "hello");
                }

                public boolean healthy() {
                    return !"sick".equals(greeting);
                }

                public void close() throws Exception {
                    if (closeMarker != null) {
                        Files.writeString(closeMarker, "closed");
                    }
                }

                private static boolean sees(String name) {
                    try {
                        Class.forName(name, false, Greeter.class.getClassLoader());
                        return true;
                    } catch (ClassNotFoundException e) {
                        return false;
                    }
                }
            }
            """;

    @TempDir
    static Path dir;
    private static Path jar;
    private static Path model;

    @BeforeAll
    static void build() throws IOException {
        jar = TestJars.plugin(dir, "Greeter", Map.of("demo.Greeter", GREETER));
        model = Files.writeString(dir.resolve("word.txt"), "the great\n");
    }

    private static PluginUnderTest greeter() throws IOException {
        return PluginUnderTest.fromJar(jar).withModel(model).withConfig("closeMarker", dir.resolve("closed-" + System.nanoTime()).toString());
    }

    @Test
    void answersWithTheIngressEnvelope() throws Exception {
        try (TestReplica replica = greeter().withConfig("greeting", "hi").start()) {
            RouteAnswer answer = replica.route("{\"name\":\"Ada\"}");

            assertThat(answer.httpStatus()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"status\":1,\"result\":{\"text\":\"hi, Ada the great\"},\"info\":\"testkit/" + replica.replicaId() + "\"}");
            assertThat(replica.inference("{\"name\":\"Bob\"}").path("text").asText()).isEqualTo("hi, Bob the great");
            assertThat(replica.plugin().name()).isEqualTo("Greeter");
        }
    }

    @Test
    void answersErrorsAsTheRouteWould() throws Exception {
        try (TestReplica replica = greeter().start()) {
            assertThat(replica.route("{}")).isEqualTo(new RouteAnswer(500, "{\"status\":0,\"error\":\"missing 'name'\"}"));
            assertThat(replica.route("{\"name\":").httpStatus()).isEqualTo(400);
            assertThat(replica.route("{\"name\":").error()).startsWith("malformed JSON body");
            RouteAnswer notJson = replica.route("{\"name\":\"socket\"}");
            assertThat(notJson.httpStatus()).isEqualTo(500);
            assertThat(notJson.error()).startsWith("the result of Greeter is not JSON-serialisable");
            assertThatThrownBy(() -> replica.inference("{}")).isInstanceOf(IllegalArgumentException.class).hasMessage("missing 'name'");
        }
    }

    @Test
    void runsEveryCallOnOneWorkerThreadInsideThePluginsClassloader() throws Exception {
        try (TestReplica replica = greeter().start()) {
            assertThat(replica.backendClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            var seen = replica.inference("{\"name\":\"thread\"}");
            assertThat(seen.path("sameThread").asBoolean()).isTrue();
            assertThat(seen.path("contextLoaderIsPlugin").asBoolean()).isTrue();
            assertThat(seen.path("seesHazelcast").asBoolean()).isFalse();
            assertThat(seen.path("seesJUnit").asBoolean()).isFalse();
        }
    }

    @Test
    void batchesAsTheRuntimeDoes() throws Exception {
        try (TestReplica replica = greeter().start()) {
            List<RouteAnswer> answers = replica.routeBatch(List.of("{\"name\":\"a\"}", "{}", "not json"));
            assertThat(answers).extracting(RouteAnswer::httpStatus).containsExactly(200, 500, 400);
            assertThat(answers.get(1).error()).isEqualTo("missing 'name'");

            List<RouteAnswer> wrongSize = replica.routeBatch(List.of("{\"name\":\"a\"}", "{\"name\":\"b\"}", "{\"name\":\"c\"}"));
            assertThat(wrongSize).extracting(RouteAnswer::error).containsOnly("inferenceBatch returned 1 results for 3 requests");

            assertThat(replica.inferenceBatch(List.of(Requests.json(Map.of("name", "x"))))).hasSize(1);
        }
    }

    @Test
    void aRequestWithHeadersReachesThePluginAsTheIngressSelectsThem() throws Exception {
        try (TestReplica replica = greeter().start()) {
            Object seen = replica.inference(Requests.json("{\"name\":\"headers\"}",
                    Map.of("X-Request-Id", "abc", "Connection", "close", "X-Modelserve-Cluster-Secret", "s3cret")));

            @SuppressWarnings("unchecked")
            Map<String, Object> answer = (Map<String, Object>) seen;
            assertThat(answer.get("requestId")).as("header(name) ignores case").isEqualTo("abc");
            assertThat(answer.get("headers")).isEqualTo(Map.of("x-request-id", "abc", "content-type", "application/json"));
            assertThat(Requests.json("{}").headers()).containsOnlyKeys("content-type");
        }
    }

    @Test
    void reconfiguresInPlaceAndReportsHealth() throws Exception {
        try (TestReplica replica = greeter().start()) {
            replica.reconfigure(Map.of("greeting", "howdy"));
            assertThat(replica.route("{\"name\":\"Ada\"}").result().path("text").asText()).isEqualTo("howdy, Ada the great");
            assertThatThrownBy(() -> replica.reconfigure(Map.of("bad", "1"))).hasMessage("bad config");
            assertThat(replica.healthy()).isTrue();
            replica.reconfigure(Map.of("greeting", "sick"));
            assertThat(replica.healthy()).isFalse();
        }
    }

    @Test
    void closeCallsThePluginsClose() throws Exception {
        Path marker = dir.resolve("closed-marker");
        TestReplica replica = PluginUnderTest.fromJar(jar).withModel(model).withConfig("closeMarker", marker.toString()).start();
        assertThat(replica.phase()).isEqualTo(io.modelserve.agent.runtime.Replica.Phase.RUNNING);
        replica.close();

        assertThat(marker).hasContent("closed");
        assertThat(replica.phase()).isEqualTo(io.modelserve.agent.runtime.Replica.Phase.STOPPED);
        assertThatThrownBy(() -> replica.route("{}")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void refusesRequestsBeforeInit() throws Exception {
        try (TestReplica replica = greeter().load()) {
            assertThatThrownBy(() -> replica.route("{\"name\":\"a\"}")).isInstanceOf(IllegalStateException.class).hasMessageContaining("init()");
        }
    }

    @Test
    void initFailureIsThrownAsThePluginThrewIt() throws IOException {
        assertThatThrownBy(() -> PluginUnderTest.fromJar(jar).withModel(dir.resolve("missing.txt")).start())
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void aFailedInitLeavesTheReplicaFailedAsOnANode() throws Exception {
        try (TestReplica replica = PluginUnderTest.fromJar(jar).withModel(dir.resolve("missing.txt")).load()) {
            assertThat(replica.phase()).isEqualTo(io.modelserve.agent.runtime.Replica.Phase.STARTING);
            assertThatThrownBy(replica::init).isInstanceOf(java.nio.file.NoSuchFileException.class);
            assertThat(replica.phase()).isEqualTo(io.modelserve.agent.runtime.Replica.Phase.FAILED);
            assertThatThrownBy(() -> replica.route("{\"name\":\"a\"}")).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aClassThatIsNoBackendFailsWithTheRuntimesMessage() throws IOException {
        assertThatThrownBy(() -> PluginUnderTest.fromJar(jar, "demo.Missing").load())
                .isInstanceOf(PluginLoadException.class).hasMessageContaining("class demo.Missing not found");
    }
}
