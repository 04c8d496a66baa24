package io.modelserve.agent.runtime;

import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.agent.testing.ManualTicker;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How what a plugin returns or throws reaches each caller, called directly (no worker, no queue). */
class InvokerTest {
    private final ManualTicker ticker = new ManualTicker();
    private final Watchdog watchdog = new Watchdog(ticker, 1_000);
    private final List<Integer> batchSizes = new ArrayList<>();

    @Test
    void oneByOneEachCallerGetsItsResultOrItsFailure() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(request -> {
            String t = request.params().path("text").asText();
            if (t.equals("bad")) {
                throw new IllegalArgumentException("missing 'image'");
            }
            return t.toUpperCase();
        });
        Job good = Job.of(text("a"));
        Job bad = Job.of(text("bad"));

        BackendFailure first = invoker(false).call(backend, List.of(good, bad));

        assertThat(good.result().get()).isEqualTo("A");
        assertThatThrownBy(() -> bad.result().get()).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BackendFailure.class).hasMessage("missing 'image'")
                .cause().isInstanceOf(IllegalArgumentException.class);
        assertThat(first).hasMessage("missing 'image'");
        assertThat(backend.count("inferenceBatch")).isZero();
        assertThat(batchSizes).isEmpty();
    }

    @Test
    void aThrowableInTheBatchFailsThatCallerOnly() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(request -> {
            if (request.params().path("text").asText().equals("bad")) {
                throw new IllegalStateException("cannot embed 'bad'");
            }
            return "ok";
        });
        List<Job> jobs = List.of(Job.of(text("a")), Job.of(text("bad")), Job.of(text("c")));

        invoker(true).call(backend, jobs);

        assertThat(jobs.get(0).result().get()).isEqualTo("ok");
        assertThat(jobs.get(2).result().get()).isEqualTo("ok");
        assertThatThrownBy(() -> jobs.get(1).result().get()).cause().hasMessage("cannot embed 'bad'");
        assertThat(batchSizes).containsExactly(3);
    }

    @Test
    void aBatchThatThrowsOrAnswersTheWrongNumberFailsEveryCaller() {
        List<Job> thrown = List.of(Job.of(text("a")), Job.of(text("b")));
        invoker(true).call(batchOf(batch -> { throw new IllegalStateException("CUDA out of memory"); }), thrown);
        for (Job job : thrown) {
            assertThatThrownBy(() -> job.result().get()).cause().isInstanceOf(BackendFailure.class).hasMessage("CUDA out of memory");
        }

        List<Job> wrong = List.of(Job.of(text("a")), Job.of(text("b")));
        invoker(true).call(batchOf(batch -> List.of("only one")), wrong);
        for (Job job : wrong) {
            assertThatThrownBy(() -> job.result().get()).cause().hasMessage("inferenceBatch returned 1 results for 2 requests");
        }
    }

    @Test
    void theCallIsWatchedWhileItRunsAndOnlyThen() {
        List<String> seen = new ArrayList<>();
        invoker(true).call(batchOf(batch -> {
            ticker.advanceMillis(6_000);
            seen.add(watchdog.hang().orElse("not hung"));
            return List.of("x");
        }), List.of(Job.of(text("a"))));

        assertThat(seen).containsExactly("inferenceBatch() did not return within 5000 ms (twice timeout_ms, at least 5 s)");
        assertThat(watchdog.busyForNanos()).isZero();
    }

    private Invoker invoker(boolean batching) {
        return new Invoker("replica r of d", batching, watchdog, batchSizes::add);
    }

    @FunctionalInterface
    private interface BatchAnswer {
        List<Object> answer(List<Request> batch) throws Exception;
    }

    private static AlgoBackend batchOf(BatchAnswer answer) {
        return new AlgoBackend() {
            @Override
            public void init(BackendContext context) { }

            @Override
            public Object inference(Request request) {
                throw new AssertionError("a batching deployment calls inferenceBatch");
            }

            @Override
            public List<Object> inferenceBatch(List<Request> batch) throws Exception {
                return answer.answer(batch);
            }
        };
    }
}
