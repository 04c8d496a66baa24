package io.modelserve.agent.runtime;

import static io.modelserve.agent.testing.ReplicaFixture.submitAccepted;
import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.Gate;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests through a replica's queue: results, failures, backpressure and dynamic batching. */
class ReplicaRequestsTest {
    private final ReplicaFixture fixture = new ReplicaFixture();

    @AfterEach
    void stopReplicas() {
        fixture.close();
    }

    @Test
    void resultIsDeliveredToTheCaller() throws Exception {
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", ScriptedBackend.upperCase());

        Job job = submitAccepted(replica, "hello");

        assertThat(job.result().get(30, TimeUnit.SECONDS)).isEqualTo("HELLO");
        Await.until("ongoing to return to 0", () -> replica.ongoing() == 0);
    }

    @Test
    void inferenceThrowingFailsThatRequestWithTheMessageOnly() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(request -> {
            if (!request.params().has("image")) {
                throw new IllegalArgumentException("missing 'image'");
            }
            return "ok";
        });
        Replica replica = fixture.running(Specs.deployment("vision").build(), "vision-1", backend);

        Job bad = submitAccepted(replica, "no image here");

        assertThatThrownBy(() -> bad.result().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BackendFailure.class).hasMessage("missing 'image'");
        // One bad request does not take the replica down.
        assertThat(replica.phase()).isEqualTo(Replica.Phase.RUNNING);
    }

    @Test
    void fullQueueIsRefusedAtOnce() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("echo").maxQueued(2).build(), "echo-1", backend);
        Gate busy = backend.holdNextCall();
        Job running = submitAccepted(replica, "a");
        busy.awaitEntered();
        submitAccepted(replica, "b");
        submitAccepted(replica, "c");

        Job refused = Job.of(text("d"));

        // submit() returns FULL without blocking: the ingress turns it into a 503 right away.
        assertThat(replica.submit(refused)).isEqualTo(Replica.Admission.FULL);
        assertThat(refused.result()).isNotDone();
        assertThat(replica.queued()).isEqualTo(2);
        assertThat(replica.ongoing()).isEqualTo(3);
        busy.open();
        assertThat(running.result().get(30, TimeUnit.SECONDS)).isEqualTo("A");
    }

    @Test
    void cancelledJobIsNeverPassedToThePlugin() throws Exception {
        ScriptedBackend backend = ScriptedBackend.upperCase();
        Replica replica = fixture.running(Specs.deployment("echo").build(), "echo-1", backend);
        Gate busy = backend.holdNextCall();
        Job running = submitAccepted(replica, "a");
        busy.awaitEntered();
        Job givenUp = submitAccepted(replica, "b");

        givenUp.result().cancel(false); // what the router does on a timeout
        busy.open();

        running.result().get(30, TimeUnit.SECONDS);
        Await.until("the queue to be worked off", () -> replica.ongoing() == 0 && replica.queued() == 0);
        assertThat(backend.requests()).extracting(r -> r.params().path("text").asText()).containsExactly("a");
    }

    @Test
    void queuedJobsAreBatchedIntoOneCallAndEachCallerGetsItsOwnResult() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(request -> {
            String text = request.params().path("text").asText();
            if (text.equals("bad")) {
                throw new IllegalStateException("cannot embed 'bad'");
            }
            return text + "!";
        });
        Replica replica = fixture.running(Specs.deployment("embed").batching(4, 5).build(), "embed-1", backend);
        // The first job occupies the worker; the next four pile up in the queue meanwhile.
        Gate busy = backend.holdNextCall();
        Job first = submitAccepted(replica, "first");
        busy.awaitEntered();
        Job a = submitAccepted(replica, "a");
        Job bad = submitAccepted(replica, "bad");
        Job b = submitAccepted(replica, "b");
        Job c = submitAccepted(replica, "c");

        busy.open();

        assertThat(first.result().get(30, TimeUnit.SECONDS)).isEqualTo("first!");
        assertThat(a.result().get(30, TimeUnit.SECONDS)).isEqualTo("a!");
        assertThat(b.result().get(30, TimeUnit.SECONDS)).isEqualTo("b!");
        assertThat(c.result().get(30, TimeUnit.SECONDS)).isEqualTo("c!");
        // A Throwable in the returned list fails that caller only.
        assertThatThrownBy(() -> bad.result().get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(BackendFailure.class).hasMessage("cannot embed 'bad'");
        assertThat(backend.batchSizes()).containsExactly(1, 4);
        assertThat(backend.count("inference")).isZero();
        assertThat(fixture.registry().find("modelserve.batch.size").summary().count()).isEqualTo(2);
    }

    @Test
    void batchThatThrowsFailsEveryRequestInIt() throws Exception {
        Gate busy = new Gate();
        AlgoBackend backend = new AlgoBackend() {
            private boolean first = true;

            @Override
            public void init(BackendContext context) { }

            @Override
            public Object inference(Request request) {
                return "unused";
            }

            @Override
            public List<Object> inferenceBatch(List<Request> batch) {
                if (first) {
                    first = false;
                    busy.pass();
                    return List.of("warm-up");
                }
                throw new IllegalStateException("CUDA out of memory");
            }
        };
        Replica replica = fixture.running(Specs.deployment("embed").batching(4, 5).build(), "embed-1", backend);
        Job warmUp = submitAccepted(replica, "warm-up");
        busy.awaitEntered();
        Job a = submitAccepted(replica, "a");
        Job b = submitAccepted(replica, "b");

        busy.open();

        assertThat(warmUp.result().get(30, TimeUnit.SECONDS)).isEqualTo("warm-up");
        for (Job job : List.of(a, b)) {
            assertThatThrownBy(() -> job.result().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(BackendFailure.class).hasMessage("CUDA out of memory");
        }
    }

    @Test
    void batchWithTheWrongNumberOfResultsFailsEveryRequestAndSaysSo() throws Exception {
        AlgoBackend backend = new AlgoBackend() {
            @Override
            public void init(BackendContext context) { }

            @Override
            public Object inference(Request request) {
                return "unused";
            }

            @Override
            public List<Object> inferenceBatch(List<Request> batch) {
                return List.of(); // a plugin bug: results must match requests one to one
            }
        };
        Replica replica = fixture.running(Specs.deployment("embed").batching(4, 5).build(), "embed-1", backend);

        Job job = submitAccepted(replica, "a");

        assertThatThrownBy(() -> job.result().get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(BackendFailure.class)
                .hasMessageContaining("inferenceBatch returned 0 results for 1 requests");
    }
}
