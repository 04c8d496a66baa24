package io.modelserve.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An algorithm package's entry point: one instance is one replica of a deployment.
 *
 * <p>Lifecycle. No two calls ever overlap, and each call sees everything the previous one did, so
 * an implementation need not be thread-safe. They need not come from one thread, though: a request
 * that finds the replica idle is run by the thread that received it (no hand-off), so keep no state
 * in {@code ThreadLocal}s. The thread's context classloader is the plugin's during every call.
 * <ol>
 *   <li>the class is instantiated through its public no-argument constructor, inside the plugin's own
 *       classloader;</li>
 *   <li>{@link #init(BackendContext)} once: load models here. If it throws, the replica is marked
 *       FAILED with the exception's message (shown by {@code modelserve status}) and a new replica is
 *       tried later with backoff; other deployments are not affected;</li>
 *   <li>{@link #inference(Request)} (or {@link #inferenceBatch(List)} when the deployment sets
 *       {@code max_batch_size > 1}) for every request;</li>
 *   <li>{@link #reconfigure(Map)} whenever the {@code config.*} keys of the deployment change in
 *       {@code conf.ini}, without a restart;</li>
 *   <li>{@link #healthy()} polled between requests; {@code false} gets the replica replaced;</li>
 *   <li>{@link #close()} when the replica is stopped (scaled down, replaced, removed).</li>
 * </ol>
 *
 * <p>Results must be serialisable by Jackson (maps, lists, records, strings, numbers, arrays,
 * {@link com.fasterxml.jackson.databind.JsonNode}); they become the {@code result} field of the
 * response envelope {@code {"status":1,"result":...,"info":"node/replica"}} (or the whole body, bare,
 * when the section sets {@code envelope = false}). To choose the status, add headers or answer raw
 * bytes (an image), return a {@link Response}. An {@link InvalidRequestException} thrown by
 * {@code inference} answers its 4xx (400 by default) with its message; any other exception becomes a
 * {@code 500 {"status":0,"error":"<message>"}} for that request only.
 */
public interface AlgoBackend extends AutoCloseable {

    /** Loads models and prepares state; called once per replica before any request. */
    void init(BackendContext context) throws Exception;

    /** Answers one request with a JSON-serialisable result. */
    Object inference(Request request) throws Exception;

    /**
     * Answers a batch of requests at once; used when the deployment sets {@code max_batch_size > 1}.
     * Must return exactly one result per request, in order. The default calls
     * {@link #inference(Request)} for each; override it to run the model once over the whole batch.
     * If it throws, every request in the batch gets that error. To fail single requests only, put a
     * {@link Throwable} at their position in the returned list.
     */
    default List<Object> inferenceBatch(List<Request> batch) throws Exception {
        List<Object> results = new ArrayList<>(batch.size());
        for (Request request : batch) {
            try {
                results.add(inference(request));
            } catch (Exception e) {
                results.add(e);
            }
        }
        return results;
    }

    /**
     * Receives the deployment's {@code config.*} keys (without the prefix) when they change; the
     * replica keeps running. If it throws, the replica keeps its previous configuration and the
     * error is reported in {@code status}.
     */
    default void reconfigure(Map<String, String> config) throws Exception {}

    /** Polled between requests; returning {@code false} gets this replica replaced. */
    default boolean healthy() {
        return true;
    }

    /** Releases models and native resources; called once when the replica stops. */
    @Override
    default void close() throws Exception {}
}
