package io.modelserve.agent.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.http.RequestDecoder;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's consumers of the async queue: for each deployment with a RUNNING replica here, a few
 * virtual threads take queued requests and run them through the same router as HTTP requests
 * (local replicas first, batching and backpressure included), then store the result.
 */
public final class QueueConsumers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueConsumers.class);
    private static final ObjectMapper JSON = PooledJson.mapper();
    private static final int CONSUMERS_PER_DEPLOYMENT = 4;

    private final String nodeId;
    private final AsyncQueue queue;
    private final RouteTable routes;
    private final ReplicaRouter router;
    private final Map<String, Thread[]> consumers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public QueueConsumers(String nodeId, AsyncQueue queue, RouteTable routes, ReplicaRouter router) {
        this.nodeId = nodeId;
        this.queue = queue;
        this.routes = routes;
        this.router = router;
    }

    /** Starts consumers for deployments that now run here and stops those that no longer do. */
    public void update(Set<String> deploymentsRunningHere) {
        if (closed) {
            return;
        }
        for (String deployment : deploymentsRunningHere) {
            consumers.computeIfAbsent(deployment, this::startConsumers);
        }
        consumers.keySet().removeIf(deployment -> {
            if (deploymentsRunningHere.contains(deployment)) {
                return false;
            }
            for (Thread t : consumers.get(deployment)) {
                t.interrupt();
            }
            return true;
        });
    }

    private Thread[] startConsumers(String deployment) {
        Thread[] threads = new Thread[CONSUMERS_PER_DEPLOYMENT];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = Thread.ofVirtual().name("queue-" + deployment + "-" + i).start(() -> consume(deployment));
        }
        return threads;
    }

    private void consume(String deployment) {
        while (!closed && !Thread.currentThread().isInterrupted()) {
            try {
                Optional<QueuedRequest> next = queue.take(deployment, nodeId, 1_000);
                if (next.isPresent()) {
                    run(next.get());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("queue consumer of {}: {}", deployment, e.toString());
                sleepQuietly(500);
            }
        }
    }

    private void run(QueuedRequest request) {
        Supplier<DeploymentSpec> spec = () -> routes.forDeployment(request.deployment()).orElse(null);
        DeploymentSpec current = spec.get();
        if (current == null) {
            finish(request, 404, JSON.valueToTree(Ingress.Envelope.failed("deployment " + request.deployment()
                    + " was removed before the request ran")));
            return;
        }
        // Stored as it came; decoded here, as the route would have (it decoded once on accept, to answer 400).
        RequestDecoder.Decoded decoded = RequestDecoder.decode(request.body(), request.contentType(), request.query());
        if (decoded instanceof RequestDecoder.Malformed malformed) {
            finish(request, 400, JSON.valueToTree(Ingress.Envelope.failed(malformed.message())));
            return;
        }
        Outcome outcome = router.dispatch(current, ((RequestDecoder.Ok) decoded).request().withHeaders(request.headers()));
        switch (outcome) {
            case Outcome.Served served when served.result() instanceof io.modelserve.sdk.Response response
                    && !response.isJson() -> finish(request, 500, JSON.valueToTree(Ingress.Envelope.failed("the async queue "
                            + "stores JSON results; " + request.deployment() + " answered " + response.contentType()
                            + " bytes: call its route instead")));
            case Outcome.Served served -> {
                String info = (served.node() == null ? nodeId : served.node()) + "/" + served.replicaId();
                // A plugin's JSON Response keeps its value here; its status and headers are the route's.
                Object result = served.result() instanceof io.modelserve.sdk.Response response ? response.jsonValue() : served.result();
                try {
                    finish(request, 200, JSON.valueToTree(Ingress.Envelope.served(result, info)));
                } catch (IllegalArgumentException notJson) {
                    // As on the route itself: a result JSON cannot hold is that request's 500, not a lost request.
                    finish(request, 500, JSON.valueToTree(Ingress.Envelope.failed("the result of " + request.deployment()
                            + " is not JSON-serialisable: " + notJson.getMessage())));
                }
            }
            case Outcome.Refused refused when refused.status() == 503 -> {
                // Overloaded or no replica ready: the work is accepted, so it waits its turn again.
                queue.putBack(request);
                sleepQuietly(200);
            }
            case Outcome.Refused refused -> finish(request, refused.status(), JSON.valueToTree(Ingress.Envelope.failed(refused.message())));
        }
    }

    private void finish(QueuedRequest request, int status, JsonNode envelope) {
        queue.finish(new QueuedResult(request.id(), status == 200 ? QueuedResult.DONE : QueuedResult.FAILED, status, envelope,
                nodeId, System.currentTimeMillis()));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        consumers.values().forEach(threads -> {
            for (Thread t : threads) {
                t.interrupt();
            }
        });
        consumers.clear();
    }
}
