package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.client.CallException;
import io.modelserve.client.InputQueue;
import io.modelserve.client.ModelServeClient;
import io.modelserve.client.OutputQueue;
import io.modelserve.client.QueueResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The Java client ({@code client} module) against a head started by {@code bin/modelserve start}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientE2ETest {
    static final String CONF = """
            [algopkg.Noop]
            backend = io.modelserve.examples.noop.Noop
            cpu_cost = 0.1
            route = echo
            method = POST

            [algopkg.AlgoExample]
            backend = io.modelserve.examples.algoexample.AlgoExample
            model = algoexample_lexicon_v1.txt
            cpu_cost = 0.1
            route = extract
            method = GET,POST
            timeout_ms = 500
            """;

    RunningHead head;
    ModelServeClient client;

    @BeforeAll
    void startHead() throws Exception {
        RunningHead.Workspace workspace = RunningHead.workspace(RunningHead.scratchDir(getClass()));
        workspace.writeConf("conf.ini", CONF);
        head = workspace.start("conf.ini");
        client = ModelServeClient.connect(URI.create("http://" + head.bind + ":" + head.port), Duration.ofSeconds(30));
    }

    @AfterAll
    void stopHead() throws Exception {
        if (head != null) {
            head.close();
        }
    }

    @Test
    void callReturnsTheResult() throws Exception {
        JsonNode result = client.call("echo", Map.of("text", "hello", "n", 3));
        assertThat(result.path("text").asText()).isEqualTo("hello");
        assertThat(result.path("n").asInt()).isEqualTo(3);
        assertThat(client.call("/extract/", Map.of("text", "a good day")).path("score").isNumber()).isTrue();
    }

    @Test
    void callAsyncAnswersEachCallerItsOwnResult() throws Exception {
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.callAsync("echo", Map.of("i", i)));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(30, TimeUnit.SECONDS).path("i").asInt()).isEqualTo(i);
        }
    }

    @Test
    void errorsCarryTheServersStatusAndMessage() {
        assertThatThrownBy(() -> client.call("no/such/route", Map.of()))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("no route /no/such/route");
                });
        assertThatThrownBy(() -> client.call("echo", "{\"text\":".getBytes(), "application/json"))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("malformed JSON");
                });
        assertThatThrownBy(() -> client.call("extract", Map.of("raise", "no lexicon for Klingon")))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(500);
                    assertThat(e.getMessage()).isEqualTo("no lexicon for Klingon");
                });
        assertThatThrownBy(() -> client.call("extract", Map.of("sleep_ms", 10_000)))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.httpStatus()).isEqualTo(504));
    }

    @Test
    void callAsyncFailsItsFutureWithTheCallException() {
        CompletableFuture<JsonNode> call = client.callAsync("extract", Map.of("raise", "boom"));
        assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(CallException.class, e -> assertThat(e.httpStatus()).isEqualTo(500));
    }

    @Test
    void aNodeThatIsNotThereIsAnErrorWithoutStatus() throws Exception {
        int closedPort = RunningHead.freePort(head.bind);
        ModelServeClient nowhere = ModelServeClient.connect(URI.create("http://" + head.bind + ":" + closedPort), Duration.ofSeconds(5));
        assertThatThrownBy(() -> nowhere.call("echo", Map.of()))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.httpStatus()).isZero();
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void queueEnqueueQueryDequeue() throws Exception {
        InputQueue input = client.inputQueue("echo");
        OutputQueue output = client.outputQueue();
        for (int i = 0; i < 5; i++) {
            input.enqueue("doc-" + i, Map.of("i", i));
        }
        assertThatThrownBy(() -> input.enqueue("doc-0", Map.of())).isInstanceOf(IllegalArgumentException.class);

        JsonNode first = awaitQuery(output, "doc-0");
        assertThat(first.path("i").asInt()).isZero();

        Map<String, QueueResult> all = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (all.size() < 5 && System.nanoTime() < deadline) {
            all.putAll(output.dequeue());
            if (all.size() < 5) {
                Thread.sleep(50);
            }
        }
        assertThat(all).containsOnlyKeys("doc-0", "doc-1", "doc-2", "doc-3", "doc-4");
        all.forEach((id, result) -> assertThat(result).isInstanceOfSatisfying(QueueResult.Done.class,
                done -> assertThat("doc-" + done.result().path("i").asInt()).isEqualTo(id)));
        assertThat(output.dequeue()).isEmpty();
        assertThatThrownBy(() -> output.query("doc-0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queuedFailuresKeepTheirStatus() throws Exception {
        InputQueue input = client.inputQueue("extract");
        OutputQueue output = client.outputQueue();
        input.enqueue("bad", Map.of("raise", "queued boom"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        CallException failure = null;
        while (failure == null && System.nanoTime() < deadline) {
            try {
                if (output.query("bad").isEmpty()) {
                    Thread.sleep(50);
                }
            } catch (CallException e) {
                failure = e;
            }
        }
        assertThat(failure).as("the queued failure within 60 s").isNotNull();
        assertThat(failure.httpStatus()).isEqualTo(500);
        assertThat(failure.getMessage()).contains("queued boom");
        output.forget("bad");
    }

    @Test
    void enqueueingToAnUnknownRouteIsRefusedAndNothingIsTracked() throws Exception {
        InputQueue input = client.inputQueue("no/such/route");
        assertThatThrownBy(() -> input.enqueue("x", Map.of()))
                .isInstanceOfSatisfying(CallException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
        assertThatThrownBy(() -> client.outputQueue().query("x")).isInstanceOf(IllegalArgumentException.class);
    }

    private static JsonNode awaitQuery(OutputQueue output, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> result = output.query(id);
            if (result.isPresent()) {
                return result.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " not done within 60 s");
    }
}
