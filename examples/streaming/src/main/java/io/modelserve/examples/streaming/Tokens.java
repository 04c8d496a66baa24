package io.modelserve.examples.streaming;

import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.ChunkSink;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.StreamingBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits {@code n} tokens (default 10), one every {@code delay_ms} (default 50), like a language model
 * decoding: {@code {"index":0,"token":"t0","emitted_at_ms":...}}. Stops as soon as the client is gone.
 * {@code {"stats":true}} answers this replica's counts of started, finished and cancelled streams
 * instead, so a test can see that a disconnect stopped the loop.
 */
public class Tokens implements StreamingBackend {
    private static final Logger log = LoggerFactory.getLogger(Tokens.class);
    private static final int MAX_TOKENS = 100_000;

    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();

    @Override
    public void init(BackendContext context) {
        // No model: the point is the pace of the answer.
    }

    @Override
    public void inferenceStream(Request request, ChunkSink sink) throws InterruptedException {
        if (request.params().path("stats").asBoolean(false)) {
            Map<String, Integer> stats = new LinkedHashMap<>();
            stats.put("started", started.get());
            stats.put("finished", finished.get());
            stats.put("cancelled", cancelled.get());
            sink.emit(stats);
            return;
        }
        int n = request.params().path("n").asInt(10);
        long delayMs = request.params().path("delay_ms").asLong(50);
        if (n < 0 || n > MAX_TOKENS || delayMs < 0 || delayMs > 60_000) {
            throw new IllegalArgumentException("n must be in 0.." + MAX_TOKENS + " and delay_ms in 0..60000");
        }
        started.incrementAndGet();
        for (int i = 0; i < n; i++) {
            if (sink.isCancelled()) {
                cancelled.incrementAndGet();
                log.info("stream cancelled after {} of {} tokens", i, n);
                return;
            }
            if (delayMs > 0) {
                Thread.sleep(delayMs);
            }
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("index", i);
            token.put("token", "t" + i);
            token.put("emitted_at_ms", System.currentTimeMillis());
            sink.emit(token);
        }
        finished.incrementAndGet();
    }
}
