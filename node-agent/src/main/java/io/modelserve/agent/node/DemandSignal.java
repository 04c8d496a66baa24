package io.modelserve.agent.node;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the controller, through the cluster, that a request found no replica of a deployment (how a
 * deployment scaled to zero is woken): once a second per deployment at most, however many requests
 * wait. Called from request threads. (Work queued for a deployment is demand too; the leader reads
 * the queue itself.)
 */
public final class DemandSignal implements Consumer<String> {
    static final long AT_MOST_EVERY_MS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(DemandSignal.class);

    private final BiConsumer<String, Long> write;
    private final InstantSource clock;
    private final Map<String, Long> lastSignal = new ConcurrentHashMap<>();

    /** @param write stores "deployment was demanded at millis" in the cluster */
    public DemandSignal(BiConsumer<String, Long> write, InstantSource clock) {
        this.write = write;
        this.clock = clock;
    }

    @Override
    public void accept(String deployment) {
        long now = clock.millis();
        boolean[] due = new boolean[1];
        lastSignal.compute(deployment, (d, last) -> {
            due[0] = last == null || now - last >= AT_MOST_EVERY_MS;
            return due[0] ? now : last;
        });
        if (due[0]) {
            try {
                write.accept(deployment, now);
            } catch (RuntimeException e) {
                log.debug("cannot signal demand for {}: {}", deployment, e.toString());
            }
        }
    }
}
