package io.modelserve.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.http.RequestDecoder;
import io.modelserve.agent.plugin.PluginLoadException;
import io.modelserve.agent.plugin.PluginLoader;
import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.agent.runtime.Invoker;
import io.modelserve.agent.runtime.Job;
import io.modelserve.agent.runtime.Lifecycle;
import io.modelserve.agent.runtime.Replica.Phase;
import io.modelserve.agent.runtime.Ticker;
import io.modelserve.agent.runtime.Watchdog;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of a plugin, without a cluster. Every call to the plugin runs on the replica's own
 * worker thread, whose context classloader is the plugin's, as on a node; the caller waits for it.
 *
 * <p>Two ways to call it: the plugin's methods ({@link #inference(Request)} returns what the plugin
 * returned and throws what it threw), or the route ({@link #route(String)} answers with the status
 * and the JSON body a client of {@code /<route>} would get, errors included).
 *
 * <p>It runs the node's own replica runtime, not a copy of it: the {@code Lifecycle} (STARTING until
 * {@code init} succeeds, FAILED when it throws, STOPPED after {@code close}) and the {@code Invoker}
 * that maps what {@code inference}/{@code inferenceBatch} return or throw onto each caller.
 */
public final class TestReplica implements AutoCloseable {
    private static final AtomicInteger REPLICAS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PluginUnderTest plugin;
    private final String replicaId;
    private final ExecutorService worker;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final Lifecycle lifecycle;
    private final Invoker oneByOne;
    private final Invoker batching;
    private PluginLoader.LoadedBackend loaded;
    private volatile boolean initAttempted;
    private volatile boolean closed;

    private TestReplica(PluginUnderTest plugin, String replicaId) {
        this.plugin = plugin;
        this.replicaId = replicaId;
        this.lifecycle = new Lifecycle("test replica " + replicaId, null, () -> { });
        Watchdog watchdog = new Watchdog(Ticker.SYSTEM, 30_000); // no node's loop watches it: a test has its own timeout
        this.oneByOne = new Invoker("test replica " + replicaId, false, watchdog, size -> { });
        this.batching = new Invoker("test replica " + replicaId, true, watchdog, size -> { });
        this.worker = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().name("replica-" + replicaId).daemon(true).unstarted(task));
    }

    static TestReplica load(PluginUnderTest plugin) throws PluginLoadException {
        TestReplica replica = new TestReplica(plugin, plugin.name() + "-test-" + REPLICAS.incrementAndGet());
        try {
            // Instantiated on the worker thread, as a node does, and every later call runs there too.
            replica.loaded = replica.onWorker(() -> {
                PluginLoader.LoadedBackend backend = new PluginLoader().load(plugin.name(), plugin.jars(), plugin.className());
                Thread.currentThread().setContextClassLoader(backend.classLoader());
                return backend;
            });
            return replica;
        } catch (PluginLoadException | RuntimeException | Error e) {
            replica.worker.shutdownNow();
            throw e;
        } catch (Exception e) {
            replica.worker.shutdownNow();
            throw new IllegalStateException(e);
        }
    }

    /** @return the plugin this replica runs */
    public PluginUnderTest plugin() {
        return plugin;
    }

    /** @return the replica's id, as the plugin sees it in {@code BackendContext.replicaId()} */
    public String replicaId() {
        return replicaId;
    }

    /** @return the registry the plugin's {@code BackendContext.metrics()} registers its meters in */
    public MeterRegistry metrics() {
        return metrics;
    }

    /** @return the backend's class, loaded by the plugin's own classloader */
    public Class<? extends AlgoBackend> backendClass() {
        return loaded.backend().getClass();
    }

    /**
     * Calls {@code init} with the plugin's models and config, once, as a node does before any request.
     *
     * @throws Exception what {@code init} threw
     */
    public void init() throws Exception {
        requireOpen();
        if (initAttempted) {
            throw new IllegalStateException("init() runs once per replica; start another replica to init again");
        }
        TestContext context = new TestContext(plugin.name(), replicaId, plugin.models(), plugin.config(), metrics);
        initAttempted = true;
        try {
            onWorker(() -> {
                loaded.backend().init(context);
                return null;
            });
        } catch (Exception | Error e) {
            lifecycle.fail("init failed: " + BackendFailure.describe(e));
            throw e;
        }
        lifecycle.move(Phase.STARTING, Phase.RUNNING);
    }

    /** @return the replica's phase, as a node would report it: STARTING, RUNNING, FAILED (init threw) or STOPPED */
    public Phase phase() {
        return lifecycle.phase();
    }

    /**
     * Calls {@code inference}.
     *
     * @param request the request, e.g. {@code Requests.json("{\"text\":\"hi\"}")}
     * @return what the plugin returned
     * @throws Exception what the plugin threw
     */
    public Object inference(Request request) throws Exception {
        requireReady();
        Job job = Job.of(request);
        onWorker(() -> oneByOne.call(loaded.backend(), List.of(job)));
        try {
            return job.result().join();
        } catch (java.util.concurrent.CompletionException e) {
            // The invoker wraps what the plugin threw in a BackendFailure; the test wants the original.
            Throwable thrown = e.getCause() instanceof BackendFailure failure && failure.getCause() != null ? failure.getCause() : e.getCause();
            if (thrown instanceof Exception exception) {
                throw exception;
            }
            if (thrown instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(thrown);
        }
    }

    /**
     * Calls {@code inference} with a JSON body and returns its result as the route serialises it.
     *
     * @param json the request body, a JSON object
     * @return the {@code result} field the route would answer with
     * @throws Exception what the plugin threw, or the serialisation error for a result that is not JSON
     */
    public JsonNode inference(String json) throws Exception {
        Object result = inference(Requests.json(json));
        return JSON.readTree(Ingress.Envelope.served(result, info()).toJson()).path("result");
    }

    /**
     * Calls {@code inferenceBatch}, as a node does for a deployment with {@code max_batch_size > 1}.
     *
     * @param batch the requests
     * @return what the plugin returned: one result, or a {@link Throwable}, per request
     * @throws Exception what the plugin threw
     */
    public List<Object> inferenceBatch(List<? extends Request> batch) throws Exception {
        requireReady();
        List<Request> requests = List.copyOf(batch);
        return onWorker(() -> loaded.backend().inferenceBatch(requests));
    }

    /**
     * Calls {@code reconfigure}, as a node does when the {@code config.*} values change.
     *
     * @param config the new values, prefix removed
     * @throws Exception what the plugin threw (a node keeps the previous configuration then)
     */
    public void reconfigure(Map<String, String> config) throws Exception {
        requireReady();
        Map<String, String> copy = Map.copyOf(config);
        onWorker(() -> {
            loaded.backend().reconfigure(copy);
            return null;
        });
    }

    /**
     * Calls {@code healthy}, as a node does every few seconds between requests.
     *
     * @return what the plugin said; {@code false} would get the replica replaced
     * @throws Exception what the plugin threw (a node replaces the replica then)
     */
    public boolean healthy() throws Exception {
        requireReady();
        return onWorker(() -> loaded.backend().healthy());
    }

    /**
     * The answer of {@code POST /<route>} with a JSON body.
     *
     * @param json the body
     * @return the status and body the ingress would send
     */
    public RouteAnswer route(String json) {
        return route(json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
    }

    /**
     * The answer of a request to the route with any body, content type and query parameters.
     *
     * @param body        the request body
     * @param contentType its content type, e.g. {@code image/png}
     * @param query       the query parameters
     * @return the status and body the ingress would send
     */
    public RouteAnswer route(byte[] body, String contentType, Map<String, String> query) {
        return routeAt("", body, contentType, query);
    }

    /**
     * The answer of a request to a path under a wildcard route ({@code route = ocr/*}).
     *
     * @param subPath     the rest of the path after the route's prefix, e.g. {@code scan/page-1} for
     *                    {@code /ocr/scan/page-1}; what {@link Request#subPath()} returns
     * @param body        the request body
     * @param contentType its content type
     * @param query       the query parameters
     * @return the status, headers and body the ingress would send
     */
    public RouteAnswer routeAt(String subPath, byte[] body, String contentType, Map<String, String> query) {
        requireReady();
        Request request;
        switch (Requests.decoded(body, contentType, query)) {
            case RequestDecoder.Malformed malformed -> {
                return failed(400, malformed.message());
            }
            case RequestDecoder.Ok ok -> request = ok.request().withSubPath(subPath);
        }
        Job job = Job.of(request);
        try {
            onWorker(() -> oneByOne.call(loaded.backend(), List.of(job)));
        } catch (Exception e) {
            return failed(500, BackendFailure.describe(e));
        }
        return answer(job);
    }

    /**
     * The answers of a batch of JSON requests to a route with {@code max_batch_size > 1}: malformed
     * bodies get their 400 and never reach the plugin; the others go to {@code inferenceBatch} at once.
     *
     * @param jsonBodies the request bodies
     * @return one answer per body, in order
     */
    public List<RouteAnswer> routeBatch(List<String> jsonBodies) {
        requireReady();
        RouteAnswer[] answers = new RouteAnswer[jsonBodies.size()];
        List<Integer> positions = new ArrayList<>();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < answers.length; i++) {
            switch (Requests.decoded(jsonBodies.get(i).getBytes(StandardCharsets.UTF_8), "application/json", Map.of())) {
                case RequestDecoder.Malformed malformed -> answers[i] = failed(400, malformed.message());
                case RequestDecoder.Ok ok -> {
                    positions.add(i);
                    jobs.add(Job.of(ok.request()));
                }
            }
        }
        if (!jobs.isEmpty()) {
            try {
                onWorker(() -> batching.call(loaded.backend(), jobs));
            } catch (Exception e) {
                RouteAnswer failure = failed(500, BackendFailure.describe(e));
                positions.forEach(i -> answers[i] = failure);
                return List.of(answers);
            }
            for (int k = 0; k < positions.size(); k++) {
                answers[positions.get(k)] = answer(jobs.get(k));
            }
        }
        return List.of(answers);
    }

    /** What the ingress answers for a job the invoker has completed. */
    private RouteAnswer answer(Job job) {
        try {
            return served(job.result().join());
        } catch (java.util.concurrent.CompletionException e) {
            io.modelserve.sdk.InvalidRequestException invalid = invalidRequest(e.getCause());
            return invalid != null ? failed(invalid.status(), invalid.getMessage()) : failed(500, e.getCause().getMessage());
        }
    }

    private static io.modelserve.sdk.InvalidRequestException invalidRequest(Throwable failure) {
        Throwable thrown = failure instanceof BackendFailure wrapped ? wrapped.getCause() : failure;
        return thrown instanceof io.modelserve.sdk.InvalidRequestException invalid ? invalid : null;
    }

    private RouteAnswer served(Object result) {
        try {
            io.modelserve.agent.http.ShapedAnswer shaped = io.modelserve.agent.http.ShapedAnswer.of(result, info(), false);
            return new RouteAnswer(shaped.status(), new String(shaped.body(), StandardCharsets.UTF_8), shaped.contentType(),
                    shaped.headers(), shaped.body());
        } catch (IOException | RuntimeException e) {
            // The ingress's words for the same failure.
            return failed(500, "the result of " + plugin.name() + " is not JSON-serialisable: " + e.getMessage());
        }
    }

    private static RouteAnswer failed(int status, String message) {
        try {
            return new RouteAnswer(status, new String(Ingress.Envelope.failed(message).toJson(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an error envelope", e);
        }
    }

    private String info() {
        return "testkit/" + replicaId;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("replica " + replicaId + " is closed");
        }
    }

    private void requireReady() {
        requireOpen();
        if (lifecycle.phase() != Phase.RUNNING) {
            throw new IllegalStateException("call init() first: a node never sends requests to a replica before init succeeds");
        }
    }

    private <T> T onWorker(Callable<T> call) throws Exception {
        Future<T> future = worker.submit(call);
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /**
     * Calls the plugin's {@code close} (when {@code init} was called), then releases its classloader
     * and worker thread.
     *
     * @throws Exception what the plugin's {@code close} threw (everything is released all the same)
     */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        if (!lifecycle.move(Phase.RUNNING, Phase.DRAINING)) {
            lifecycle.move(Phase.STARTING, Phase.DRAINING);
        }
        try {
            // As on a node: a backend whose init ran, even if it threw, is closed; one never initialised is not.
            if (initAttempted) {
                onWorker(() -> {
                    loaded.backend().close();
                    return null;
                });
            }
        } finally {
            lifecycle.move(Phase.DRAINING, Phase.STOPPED);
            worker.shutdown();
            loaded.classLoader().close();
            metrics.close();
        }
    }
}
