package io.modelserve.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.routing.RemoteReplica;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.agent.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Node-to-node sends against a real HTTP peer on loopback whose misbehaviour the test scripts: each
 * way a send can end comes back as the {@link Delivery} that says whether the request could have run.
 */
class ForwarderTest {
    private static final long FIRST_BYTE_MILLIS = 150;
    private final FakePeer peer;
    private final PeerLiveness liveness = new PeerLiveness();
    private final Forwarder forwarder = new Forwarder("", liveness, FIRST_BYTE_MILLIS);
    private final RemoteReplica target;

    ForwarderTest() throws IOException {
        peer = new FakePeer();
        target = new RemoteReplica("r1", "echo", "n2", peer.url());
    }

    @AfterEach
    void closePeer() throws IOException {
        peer.close();
    }

    private static JsonRequest request() {
        return new JsonRequest(JsonNodeFactory.instance.objectNode().put("text", "hi"), new byte[0], "application/json");
    }

    private Delivery send(long timeoutMillis, boolean giveUp) {
        return forwarder.forward(target, request(), timeoutMillis, false, giveUp);
    }

    @Test
    void anAnswerIsAnsweredWhateverItsStatus() {
        peer.script(n -> new FakePeer.Answer(503, Map.of(), "{\"status\":0,\"error\":\"callee overloaded\"}"));

        Delivery delivery = send(5_000, true);

        assertThat(delivery).isInstanceOf(Delivery.Answered.class);
        assertThat(((Delivery.Answered) delivery).status()).isEqualTo(503);
        assertThat(liveness.isLive("n2")).isTrue();
    }

    @Test
    void aRefusalComesBackAsItsCode() {
        peer.script(n -> new FakePeer.Answer(503, Map.of(Refusal.HEADER, "QUEUE_FULL"), "{\"status\":0,\"error\":\"queue full\"}"));

        assertThat(send(5_000, true)).isEqualTo(new Delivery.Refused(Refusal.QUEUE_FULL, "queue full"));
    }

    @Test
    void aRequestWrittenOnAReusedConnectionToANodeThatDiedIsNeverSentAgain() {
        // The first request leaves a pooled keep-alive connection; the peer then reads the second and dies.
        peer.script(n -> n == 0 ? FakePeer.ok() : new FakePeer.CloseAfterReading());
        java.util.List<String> suspected = new java.util.concurrent.CopyOnWriteArrayList<>();
        liveness.onSuspect(suspected::add);
        assertThat(send(5_000, true)).isInstanceOf(Delivery.Answered.class);

        Delivery second = send(5_000, true);

        assertThat(second).isInstanceOf(Delivery.MayHaveRun.class);
        assertThat(peer.received()).isEqualTo(2);
        // Suspect at once (the peer still answers probes here, so a probe soon ends it).
        assertThat(suspected).containsExactly("n2");
    }

    @Test
    void aPooledConnectionThePeerClosedWhileIdleIsNotUsed() throws Exception {
        assertThat(send(5_000, true)).isInstanceOf(Delivery.Answered.class);
        peer.closeConnections();
        Await.until("the peer closed its side", () -> peer.openConnections() == 0);

        Delivery second = send(5_000, true);

        assertThat(second).isInstanceOf(Delivery.Answered.class);
        assertThat(peer.received()).isEqualTo(2);
        assertThat(peer.connections()).isEqualTo(2);
    }

    @Test
    void aNodeThatRefusesConnectionsIsNotSentAndSuspect() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        RemoteReplica gone = new RemoteReplica("r9", "echo", "n9", "http://127.0.0.1:" + port);

        Delivery delivery = forwarder.forward(gone, request(), 5_000, false, true);

        assertThat(delivery).isInstanceOf(Delivery.NotSent.class);
        assertThat(liveness.state("n9")).isEqualTo(PeerLiveness.State.SUSPECT);
    }

    @Test
    void aFrozenPeerIsGivenUpOnAtTheFirstByteDeadlineAndMadeSuspect() {
        peer.script(n -> new FakePeer.Hang()).answersProbes(false);
        long started = System.nanoTime();

        Delivery delivery = send(20_000, true);

        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(delivery).isInstanceOf(Delivery.MayHaveRun.class);
        assertThat(((Delivery.MayHaveRun) delivery).cause()).contains("stopped answering");
        // First-byte deadline plus one probe, far below the request's 20 s.
        assertThat(tookMillis).isLessThan(FIRST_BYTE_MILLIS + PeerProbe.TIMEOUT_MILLIS + 3_000);
        assertThat(liveness.state("n2")).isEqualTo(PeerLiveness.State.SUSPECT);
    }

    @Test
    void anAnswerThatCameJustBeforeTheFreezeVouchesForThePeerOnceNotForever() throws Exception {
        peer.script(n -> new FakePeer.Hang()).answersProbes(false);
        // Another request's answer arrives after this one was written, then the peer goes silent.
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        later.schedule(() -> liveness.heardFrom("n2"), 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        try {
            Delivery delivery = send(20_000, true);

            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(delivery).isInstanceOf(Delivery.MayHaveRun.class);
            // One more first-byte window than a peer heard from before the request, not the whole 20 s.
            assertThat(tookMillis).isLessThan(2 * FIRST_BYTE_MILLIS + PeerProbe.TIMEOUT_MILLIS + 3_000);
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void aRequestThatMayNotRunElsewhereWaitsOnAFrozenPeerUntilItsDeadline() {
        peer.script(n -> new FakePeer.Hang()).answersProbes(false);

        Delivery delivery = send(1_200, false);

        // Past its deadline: over, whatever the peer did with it (the router answers 504, and tries nothing else).
        assertThat(delivery).isInstanceOf(Delivery.TimedOut.class);
        assertThat(((Delivery.TimedOut) delivery).cause()).contains("in time");
        assertThat(liveness.state("n2")).isEqualTo(PeerLiveness.State.SUSPECT);
    }

    @Test
    void thePeersOwnTimeoutAtTheDeadlineIsTheAnswerNotARaceWithOurs() {
        // The peer times the request out at the deadline it was sent and says which replica did not answer.
        long timeout = 600;
        peer.script(n -> new FakePeer.AnswerAfter(timeout,
                new FakePeer.Answer(504, Map.of(), "{\"status\":0,\"error\":\"echo did not answer within timeout_ms = 600 (replica r1)\"}")));

        Delivery delivery = send(timeout, true);

        assertThat(delivery).isInstanceOf(Delivery.Answered.class);
        assertThat(((Delivery.Answered) delivery).status()).isEqualTo(504);
        assertThat(((Delivery.Answered) delivery).body().path("error").asText()).contains("replica r1");
    }

    @Test
    void aSlowModelOnALivePeerIsWaitedForAndNotSuspected() {
        peer.script(n -> new FakePeer.AnswerAfter(4 * FIRST_BYTE_MILLIS, FakePeer.ok()));

        Delivery delivery = send(10_000, true);

        assertThat(delivery).isInstanceOf(Delivery.Answered.class);
        assertThat(liveness.isLive("n2")).isTrue();
        assertThat(peer.received()).isEqualTo(1);
    }

    @Test
    void aSuspectPeerThatAnswersProbesAgainIsLive() throws Exception {
        assertThat(send(5_000, true)).isInstanceOf(Delivery.Answered.class);

        java.util.List<String> suspected = new java.util.concurrent.CopyOnWriteArrayList<>();
        liveness.onSuspect(suspected::add);

        liveness.suspect("n2");

        assertThat(suspected).containsExactly("n2");
        Await.until("a probe ends the suspicion", () -> liveness.isLive("n2"));
    }
}
