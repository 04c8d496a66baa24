package io.modelserve.agent.testing;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A hand-written plugin whose answers the test scripts, and which records every call the replica
 * makes to it (name, thread) so tests can check the lifecycle and the one-thread promise.
 */
public final class ScriptedBackend implements AlgoBackend {

    /** What {@code inference} answers for one request; may throw like a real model. */
    @FunctionalInterface
    public interface Answer {
        Object answer(Request request) throws Exception;
    }

    private final Answer answer;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Set<Long> threadIds = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> reconfigurations = new CopyOnWriteArrayList<>();
    private final Queue<Gate> nextCallGates = new ConcurrentLinkedQueue<>();
    private final List<Gate> gates = new CopyOnWriteArrayList<>();
    private volatile Exception initFailure;
    private volatile Exception reconfigureFailure;
    private volatile Consumer<BackendContext> onInit = context -> { };
    private volatile BooleanSupplier health = () -> true;
    private volatile BackendContext context;

    public ScriptedBackend(Answer answer) {
        this.answer = answer;
    }

    /** Answers the {@code text} parameter upper-cased, so a result shows which request it belongs to. */
    public static ScriptedBackend upperCase() {
        return new ScriptedBackend(request -> request.params().path("text").asText().toUpperCase());
    }

    public ScriptedBackend failInit(Exception failure) {
        initFailure = failure;
        return this;
    }

    public ScriptedBackend failReconfigure(Exception failure) {
        reconfigureFailure = failure;
        return this;
    }

    public ScriptedBackend onInit(Consumer<BackendContext> action) {
        onInit = action;
        return this;
    }

    public ScriptedBackend health(BooleanSupplier supplier) {
        health = supplier;
        return this;
    }

    /** The next inference (or inferenceBatch) call waits at the returned gate until it is opened. */
    public Gate holdNextCall() {
        Gate gate = new Gate();
        gates.add(gate);
        nextCallGates.add(gate);
        return gate;
    }

    /** Lets every held call go, so a test never leaves a worker thread parked behind it. */
    public void releaseAll() {
        gates.forEach(Gate::open);
    }

    @Override
    public void init(BackendContext context) throws Exception {
        record("init");
        this.context = context;
        onInit.accept(context);
        if (initFailure != null) {
            throw initFailure;
        }
    }

    @Override
    public Object inference(Request request) throws Exception {
        record("inference");
        requests.add(request);
        holdIfAsked();
        return answer.answer(request);
    }

    /** Like the SDK's default (a Throwable at a failed request's position), but recorded as one call. */
    @Override
    public List<Object> inferenceBatch(List<Request> batch) {
        record("inferenceBatch");
        batchSizes.add(batch.size());
        requests.addAll(batch);
        holdIfAsked();
        List<Object> results = new ArrayList<>(batch.size());
        for (Request request : batch) {
            try {
                results.add(answer.answer(request));
            } catch (Exception e) {
                results.add(e);
            }
        }
        return results;
    }

    @Override
    public void reconfigure(Map<String, String> config) throws Exception {
        record("reconfigure");
        if (reconfigureFailure != null) {
            throw reconfigureFailure;
        }
        reconfigurations.add(config);
    }

    @Override
    public boolean healthy() {
        record("healthy");
        return health.getAsBoolean();
    }

    @Override
    public void close() {
        record("close");
    }

    private void holdIfAsked() {
        Gate gate = nextCallGates.poll();
        if (gate != null) {
            gate.pass();
        }
    }

    private void record(String call) {
        calls.add(call);
        threadIds.add(Thread.currentThread().threadId());
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    public long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    public Set<Long> threadIds() {
        return Set.copyOf(threadIds);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    public List<Map<String, String>> reconfigurations() {
        return List.copyOf(reconfigurations);
    }

    public BackendContext context() {
        return context;
    }
}
