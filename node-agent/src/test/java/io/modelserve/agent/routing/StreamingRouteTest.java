package io.modelserve.agent.routing;

import static io.modelserve.agent.testing.ReplicaFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.runtime.ChunkSource;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.ChunkSink;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.StreamingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A streaming backend through the router: chunks while it works, errors before and after the first, cancellation. */
class StreamingRouteTest {
    private static final DeploymentSpec SPEC = Specs.deployment("words").build();
    private final ReplicaFixture fixture = new ReplicaFixture();
    private final ScriptedDirectory directory = new ScriptedDirectory();
    private final ReplicaRouter router = new ReplicaRouter(directory);

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** Emits each word of "text"; "fail-first" throws at once, "fail-later" after one chunk, "forever" until cancelled. */
    static final class Words implements StreamingBackend {
        final CountDownLatch stopped = new CountDownLatch(1);
        volatile boolean sawCancel;

        @Override
        public void init(BackendContext context) {}

        @Override
        public void inferenceStream(Request request, ChunkSink sink) throws Exception {
            String text = request.params().path("text").asText();
            try {
                if (text.equals("fail-first")) {
                    throw new IllegalStateException("no words today");
                }
                if (text.equals("forever")) {
                    while (!sink.isCancelled()) {
                        sink.emit("again");
                        Thread.sleep(5);
                    }
                    sawCancel = true;
                    return;
                }
                sink.emit(text.split(" ")[0]);
                if (text.equals("fail-later")) {
                    throw new IllegalStateException("lost the thread");
                }
                for (String word : List.of(text.split(" ")).subList(1, text.split(" ").length)) {
                    sink.emit(word);
                }
            } finally {
                stopped.countDown();
            }
        }
    }

    private static List<Object> drain(ChunkSource source) throws InterruptedException {
        List<Object> items = new ArrayList<>();
        while (true) {
            Object item = source.next(10_000);
            assertThat(item).as("an item within 10 s").isNotNull();
            items.add(item);
            if (item == ChunkSource.END || item instanceof ChunkSource.Failed) {
                return items;
            }
        }
    }

    private Outcome dispatch(StreamingBackend backend, String text, boolean stream) {
        Replica replica = fixture.running(SPEC, "words-1", backend);
        directory.answer("words", List.of(replica));
        return router.dispatch(SPEC, text(text), null, stream);
    }

    @Test
    void aStreamingBackendAnswersWithItsChunksThenTheEnd() throws Exception {
        Outcome outcome = dispatch(new Words(), "a b c", true);
        Object result = ((Outcome.Served) outcome).result();
        assertThat(result).isInstanceOf(ChunkSource.class);
        assertThat(drain((ChunkSource) result)).containsExactly("a", "b", "c", ChunkSource.END);
    }

    @Test
    void withoutAStreamTheChunksComeAsOneResult() {
        assertThat(dispatch(new Words(), "a b", false)).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served(List.of("a", "b"), "words-1"));
    }

    @Test
    void aNonStreamingBackendAnswersAsBeforeWhenAStreamIsOffered() {
        Replica replica = fixture.running(SPEC, "words-1", ScriptedBackend.upperCase());
        directory.answer("words", List.of(replica));
        assertThat(router.dispatch(SPEC, text("hi"), null, true)).usingRecursiveComparison().ignoringFields("timing").isEqualTo(new Outcome.Served("HI", "words-1"));
    }

    @Test
    void aFailureBeforeTheFirstChunkIsAnErrorOutcome() {
        Outcome outcome = dispatch(new Words(), "fail-first", true);
        assertThat(outcome).isInstanceOf(Outcome.Refused.class);
        assertThat(((Outcome.Refused) outcome).status()).isEqualTo(500);
        assertThat(((Outcome.Refused) outcome).message()).contains("no words today");
    }

    @Test
    void aFailureAfterTheFirstChunkEndsTheStream() throws Exception {
        ChunkSource source = (ChunkSource) ((Outcome.Served) dispatch(new Words(), "fail-later", true)).result();
        List<Object> items = drain(source);
        assertThat(items.getFirst()).isEqualTo("fail-later");
        assertThat(items.getLast()).isInstanceOfSatisfying(ChunkSource.Failed.class,
                failed -> assertThat(failed.message()).contains("lost the thread"));
    }

    @Test
    void cancellingTheSourceStopsTheBackend() throws Exception {
        Words words = new Words();
        ChunkSource source = (ChunkSource) ((Outcome.Served) dispatch(words, "forever", true)).result();
        assertThat(source.next(10_000)).isEqualTo("again");
        source.cancel();
        assertThat(words.stopped.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(words.sawCancel).isTrue();
    }
}
