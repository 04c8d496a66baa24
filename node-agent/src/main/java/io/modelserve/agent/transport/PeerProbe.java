package io.modelserve.agent.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Asks a peer "are you there?" with {@code GET /-/healthz} on a fresh connection and a short deadline:
 * any HTTP answer (200 or 503 "starting") means its JVM runs. A frozen node (kill -STOP) still accepts
 * the TCP connection (the kernel does) but never answers, which is what this tells apart from a model
 * that is merely slow.
 *
 * <p>Two uses: {@link #alive} at a forward's first-byte deadline, single-flight per peer so a hundred
 * waiting forwards cost one probe; and {@link #watch}, which keeps probing a SUSPECT peer every
 * {@link #INTERVAL_MILLIS} until it answers (then {@link PeerLiveness#probeAnswered}) or is declared dead,
 * so a peer that thawed takes traffic again without a real request being risked on it.
 */
final class PeerProbe {
    /** Long enough for a busy JVM to answer {@code /-/healthz}; first-byte deadline + this bounds detection. */
    static final int TIMEOUT_MILLIS = 700;
    static final long INTERVAL_MILLIS = 500;

    private final PeerLiveness liveness;
    private final Function<String, String> urlOf;
    private final Map<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
    private final Set<String> watched = ConcurrentHashMap.newKeySet();

    PeerProbe(PeerLiveness liveness, Function<String, String> urlOf) {
        this.liveness = liveness;
        this.urlOf = urlOf;
    }

    /** Whether {@code nodeId} answers a probe now; concurrent callers share one probe. */
    boolean alive(String nodeId) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> shared = inFlight.putIfAbsent(nodeId, mine);
        if (shared != null) {
            return shared.join();
        }
        long sentAt = liveness.now();
        boolean answered;
        try {
            answered = answers(urlOf.apply(nodeId));
        } finally {
            inFlight.remove(nodeId, mine);
        }
        if (answered) {
            liveness.probeAnswered(nodeId, sentAt);
        }
        mine.complete(answered);
        return answered;
    }

    /** Probes a suspect peer until it answers or dies (one watcher per peer). */
    void watch(String nodeId) {
        if (!watched.add(nodeId)) {
            return;
        }
        Thread.ofVirtual().name("probe-" + nodeId).start(() -> {
            try {
                while (liveness.state(nodeId) == PeerLiveness.State.SUSPECT) {
                    if (alive(nodeId)) {
                        return;
                    }
                    Thread.sleep(INTERVAL_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                watched.remove(nodeId);
            }
            // Suspected again between the last check and the removal: keep watching.
            if (liveness.state(nodeId) == PeerLiveness.State.SUSPECT) {
                watch(nodeId);
            }
        });
    }

    private static boolean answers(String baseUrl) {
        if (baseUrl == null) {
            return false;
        }
        URI uri = URI.create(baseUrl);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write(("GET /-/healthz HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            return in.read() == 'H';
        } catch (IOException e) {
            return false;
        }
    }
}
