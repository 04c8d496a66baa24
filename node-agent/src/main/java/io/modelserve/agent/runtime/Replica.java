package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.Gauge;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.StreamingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One backend instance with its own (virtual) worker thread: the worker opens and initialises the backend,
 * then takes requests from the {@link RequestQueue} as the {@link Batcher} decides, runs them through
 * the {@link Invoker}, probes health ({@link HealthProbe}) between requests, and closes the backend.
 *
 * <p>The plugin is called by one thread at a time, whoever holds the replica's <em>turn</em>, so
 * plugins need not be thread-safe: the worker, or a caller that found the replica idle and runs
 * its own request on its own thread ({@link #submit(Job)} with a {@link Job#inline} job). That
 * second path is the common one for a lone request: it costs no hand-off to the worker and back,
 * which measured about half of what the platform added to a no-op request. What queues up while
 * the turn is taken goes to the worker, which batches it. {@code init} and {@code close} run on
 * the worker. The phase is owned by the {@link Lifecycle} (compare-and-set, the only caller of
 * the change listener); the node's loop reads it and may {@link #drain()} or {@link #abandon(String)}.
 *
 * <p>Over 300 lines: the worker loop, the turn and the caller's inline path share every field
 * here, and split apart each would need the others' state.
 */
public final class Replica implements ManagedReplica {
    private static final Logger log = LoggerFactory.getLogger(Replica.class);
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** The replica's lifecycle as its node sees it; the allowed transitions are {@link Lifecycle}'s. */
    public enum Phase { STARTING, RUNNING, DRAINING, FAILED, STOPPED }

    /** Whether a job was taken. */
    public enum Admission { ACCEPTED, FULL, NOT_READY }

    /** A change of configuration, applied on the worker thread between requests. */
    private record Reconfigure(Map<String, String> config, String digest) {}

    /** An explicit load or unload of a multiplexed model (the model repository API), applied on the turn. */
    private record ModelCommand(String model, boolean load, java.util.concurrent.CompletableFuture<Boolean> done) {}

    private final ReplicaAssignment assignment;
    private final DeploymentSpec spec;
    private final String nodeId;
    private final OpenedBackend.Opener opener;
    private final ReplicaMetrics metrics;
    private final Function<String, DeploymentHandle> handles;
    private final int restarts;
    private final Ticker ticker;
    private final Lifecycle lifecycle;
    private final RequestQueue queue;
    private final Watchdog watchdog;
    private final Batcher batcher;
    private final Invoker invoker;
    private final ConcurrentLinkedQueue<Reconfigure> reconfigures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ModelCommand> modelCommands = new ConcurrentLinkedQueue<>();
    private final Turn turn;
    private final Thread worker;
    private final long createdAtMillis = System.currentTimeMillis();

    private volatile String appliedConfigDigest = "";
    private volatile Killable killable;
    private volatile boolean streams;
    /** The initialised backend; set before the phase becomes RUNNING, so a caller that sees RUNNING sees it. */
    private volatile AlgoBackend backend;
    /** Set with {@link #backend}: the protocol calls the invoker answers for the backend. */
    private volatile PluginProtocol protocol = PluginProtocol.NONE;
    /** A multiplexed section's loaded models; set with {@link #backend}, null on every other section. */
    private volatile ModelSlots slots;

    public Replica(ReplicaAssignment assignment, String nodeId, int restarts, String previousError,
            OpenedBackend.Opener opener, ReplicaMetrics metrics, Function<String, DeploymentHandle> handles, Runnable onChange) {
        this(assignment, nodeId, restarts, previousError, opener, metrics, handles, onChange, Ticker.SYSTEM);
    }

    /** @param onChange told after every change of phase, error or applied config; dropped once the replica has stopped */
    public Replica(ReplicaAssignment assignment, String nodeId, int restarts, String previousError,
            OpenedBackend.Opener opener, ReplicaMetrics metrics, Function<String, DeploymentHandle> handles, Runnable onChange,
            Ticker ticker) {
        this.assignment = assignment;
        this.spec = assignment.spec();
        this.nodeId = nodeId;
        this.restarts = restarts;
        this.opener = opener;
        this.metrics = metrics;
        this.handles = handles;
        this.ticker = ticker;
        this.lifecycle = new Lifecycle("replica " + assignment.replicaId(), previousError, onChange);
        this.queue = new RequestQueue(assignment.replicaId(), spec.maxQueued());
        this.watchdog = new Watchdog(ticker, spec.timeoutMs());
        this.batcher = new Batcher(spec.maxBatchSize(), spec.batchWaitMs());
        this.turn = new Turn(ticker);
        this.invoker = new Invoker("replica " + assignment.replicaId() + " of " + spec.name(), spec.maxBatchSize() > 1,
                watchdog, metrics::recordBatch);
        // Through the plugin's registry: tagged with deployment, replica and instance, removed when it stops.
        Gauge.builder("modelserve.replica.queue.depth", queue, RequestQueue::size)
                .description("Requests waiting in the replica's queue").register(metrics.pluginRegistry());
        Gauge.builder("modelserve.replica.inflight", this, r -> Math.max(0, r.ongoing() - r.queued()))
                .description("Requests the plugin is working on now").register(metrics.pluginRegistry());
        // A virtual thread: an idle replica then costs no platform thread (a parked virtual thread is
        // a few hundred bytes of heap), so a node can hold thousands. The turn still gives the plugin
        // one caller at a time. A plugin call blocking in native code (ONNX Runtime) pins its carrier
        // for that call, as the inline path on the ingress's virtual threads always did.
        this.worker = Thread.ofVirtual().name("replica-" + assignment.replicaId()).unstarted(this::run);
    }

    public void start() {
        worker.start();
    }

    /**
     * Takes a job, or says at once why not. A job that may run inline ({@link Job#inline}) and finds
     * the replica idle (nothing queued, forming or running, and the turn free) is run here, on the
     * caller's thread, before this returns ACCEPTED with its result complete. Otherwise it is queued
     * for the worker and this never blocks; a full queue is refused at once.
     */
    public Admission submit(Job job) {
        if (lifecycle.phase() != Phase.RUNNING) {
            return Admission.NOT_READY;
        }
        if (!job.runsInline() || !queue.claimIdle()) {
            return queue.offer(job);
        }
        if (!turn.tryTake()) {
            return queue.offerCounted(job); // the worker is probing health or reconfiguring
        }
        runInline(job);
        return Admission.ACCEPTED;
    }

    /** Runs one job on the caller's thread; the caller holds the turn and the job is counted ongoing. */
    private void runInline(Job job) {
        Thread caller = Thread.currentThread();
        ClassLoader callerLoader = caller.getContextClassLoader();
        AlgoBackend plugin = backend;
        turn.enterInline(job);
        try {
            if (lifecycle.phase() == Phase.FAILED || lifecycle.phase() == Phase.STOPPED) {
                // Failed between the check and the turn: it never ran, the router tries another replica.
                job.result().completeExceptionally(new ReplicaGoneException(id(), lifecycle.phase().name().toLowerCase()));
                return;
            }
            caller.setContextClassLoader(plugin.getClass().getClassLoader());
            MDC.put("deployment", spec.name());
            MDC.put("replica", id());
            runJobs(plugin, List.of(job));
        } finally {
            MDC.remove("deployment");
            MDC.remove("replica");
            caller.setContextClassLoader(callerLoader);
            turn.leaveInline();
            queue.done(1);
            turn.release();
        }
    }

    /**
     * Loads ({@code load}) or unloads a model of a multiplexed section on the replica's turn, as a request
     * would (a load may evict the least recently used). Completes with whether anything changed; with
     * the plugin's failure when its {@code load} threw; false at once on a section that does not multiplex.
     */
    public java.util.concurrent.CompletableFuture<Boolean> changeModel(String model, boolean load) {
        java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
        if (!spec.isMultiplexed() || spec.multiplex().model(model).isEmpty() || Lifecycle.terminal(lifecycle.phase())) {
            done.complete(false);
            return done;
        }
        modelCommands.add(new ModelCommand(model, load, done));
        return done;
    }

    /** The models it has loaded now, sorted; empty when the section does not multiplex or it is not running. */
    public List<String> loadedModels() {
        ModelSlots current = slots;
        return current == null ? List.of() : current.loaded().stream().sorted().toList();
    }

    /** Applies new {@code config.*} values on the worker thread, without a restart. */
    public void reconfigure(Map<String, String> config, String digest) {
        reconfigures.add(new Reconfigure(Map.copyOf(config), digest));
    }

    /** Takes no new work, finishes what is queued, then closes the backend (also when still starting). */
    public void drain() {
        if (!lifecycle.move(Phase.RUNNING, Phase.DRAINING)) {
            lifecycle.move(Phase.STARTING, Phase.DRAINING);
        }
    }

    /**
     * Gives up on a replica whose plugin call never returns: marks it FAILED with {@code reason}, hands
     * its queued requests back to the router (they never reached the plugin, so they go to other
     * replicas) and interrupts the worker. The stuck thread cannot be killed in-process; it is left to
     * finish or not, and the node starts a fresh replica (with fresh meters) in its place.
     */
    public void abandon(String reason) {
        abandon(reason, "");
    }

    /** @param consequence said after the cause and what the killed child died of */
    private void abandon(String cause, String consequence) {
        String reason = cause + consequence;
        if (!lifecycle.fail(reason)) {
            return;
        }
        log.error("replica {} of {}: {}", id(), spec.name(), reason);
        queue.close(List.of(), "abandoned: " + reason);
        turn.interruptInline();
        Killable child = killable;
        if (child != null) {
            // A child JVM can be stopped for real; its stuck call then returns. What it had died of
            // (an OutOfMemoryError it was still exiting from) is part of the cause.
            String died = child.kill();
            if (died != null) {
                lifecycle.refine(reason, cause + " (" + died + ")" + consequence);
            }
        }
        worker.interrupt();
    }

    /**
     * The watchdog: abandons the replica when its current plugin call ({@code init()} included) has
     * run past its limit (see {@link Watchdog}), with a reason naming the call. Called by the node's loop.
     *
     * @return whether it was abandoned now
     */
    public boolean abandonIfHung() {
        Optional<String> hang = watchdog.hang();
        if (hang.isEmpty() || Lifecycle.terminal(lifecycle.phase())) {
            return false;
        }
        abandon(hang.get(), "; replaced, its queued requests went to other replicas");
        return true;
    }

    public String id() {
        return assignment.replicaId();
    }

    /** Unique per replica instance on this node: a restart keeps {@link #id()} but gets a new instance. */
    public String instanceId() {
        return metrics.instanceId();
    }

    public ReplicaAssignment assignment() {
        return assignment;
    }

    public Phase phase() {
        return lifecycle.phase();
    }

    public int ongoing() {
        return queue.ongoing();
    }

    public int queued() {
        return queue.size();
    }

    public int restarts() {
        return restarts;
    }

    public String lastError() {
        return lifecycle.lastError();
    }

    public String appliedConfigDigest() {
        return appliedConfigDigest;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    /** Whether its backend answers in chunks (a {@code StreamingBackend}); known once it is RUNNING. */
    public boolean streams() {
        return streams;
    }

    /** Nanos the current plugin call ({@code init()} included) has been running, or 0 when idle. */
    public long busyForNanos() {
        return watchdog.busyForNanos();
    }

    private void run() {
        MDC.put("deployment", spec.name());
        MDC.put("replica", id());
        OpenedBackend opened = null;
        try {
            opened = opener.open(assignment);
            killable = opened.backend() instanceof Killable k ? k : null;
            if (init(opened) && lifecycle.move(Phase.STARTING, Phase.RUNNING)) {
                log.info("replica {} of {} ready on {}", id(), spec.name(), nodeId);
                serve(opened.backend());
            }
            // Otherwise drained or abandoned while starting: nothing was queued, it just closes.
        } catch (Throwable t) {
            // Never let the worker die silently: queued callers would wait for their timeout.
            fail((opened == null ? "init failed: " : "worker crashed: ") + BackendFailure.describe(t), t);
        } finally {
            shutdown(opened);
        }
    }

    private boolean init(OpenedBackend opened) {
        Thread.currentThread().setContextClassLoader(opened.backend().getClass().getClassLoader());
        BackendContext context = new ReplicaContext(spec.name(), id(), opened.modelPaths(), spec.config(),
                assignment.device(), metrics.pluginRegistry(), handles);
        watchdog.enter("init");
        try {
            opened.backend().init(context);
        } catch (Throwable t) {
            fail("init failed: " + BackendFailure.describe(t), t);
            return false;
        } finally {
            watchdog.leave();
        }
        if (spec.isMultiplexed()) {
            if (!(opened.backend() instanceof io.modelserve.sdk.MultiModelBackend)) {
                fail("init failed: " + spec.backend() + " does not implement io.modelserve.sdk.MultiModelBackend, which "
                        + "models = needs (isolation = process does not multiplex)", null);
                return false;
            }
            slots = new ModelSlots(spec.multiplex().maxPerReplica(), opened.multiplexed(), metrics.pluginRegistry(),
                    message -> log.info("replica {} of {}: {}", id(), spec.name(), message));
        }
        appliedConfigDigest = spec.configDigest();
        streams = opened.backend() instanceof StreamingBackend
                && !(opened.backend() instanceof DeclaredStreaming declared && !declared.streams());
        protocol = opened.protocol();
        backend = opened.backend();
        return true;
    }

    private void serve(AlgoBackend backend) {
        HealthProbe health = new HealthProbe(ticker, watchdog);
        List<Job> forming = new ArrayList<>(batcher.maxBatchSize());
        try {
            while (true) {
                turn.rescueLate();
                if (!reconfigures.isEmpty() && turn.tryTake()) {
                    try {
                        applyReconfigures(backend);
                    } finally {
                        turn.release();
                    }
                }
                if (!modelCommands.isEmpty() && turn.tryTake()) {
                    try {
                        applyModelCommands(backend);
                    } finally {
                        turn.release();
                    }
                }
                Phase phase = lifecycle.phase();
                if (phase == Phase.FAILED || phase == Phase.DRAINING && forming.isEmpty() && queue.isEmpty() && !turn.inlineRunning()) {
                    return;
                }
                // Between requests only: a busy turn means a caller is being served, so the probe waits.
                if (health.due() && turn.tryTake()) {
                    try {
                        Optional<String> sick = health.probe(backend);
                        if (sick.isPresent()) {
                            fail(sick.get(), null);
                            return;
                        }
                    } finally {
                        turn.release();
                    }
                }
                queue.drainTo(forming, batcher.maxBatchSize() - forming.size());
                switch (batcher.next(forming.size(), ticker.nanos())) {
                    case Batcher.Idle idle -> take(forming, IDLE_POLL_NANOS);
                    case Batcher.WaitUntil wait -> take(forming, wait.deadlineNanos() - ticker.nanos());
                    case Batcher.Run run -> {
                        if (!turn.take(IDLE_POLL_NANOS, () -> lifecycle.phase() == Phase.FAILED)) {
                            continue; // failed meanwhile: the loop's next check ends it
                        }
                        try {
                            // What queued up while a caller held the turn joins this batch.
                            queue.drainTo(forming, batcher.maxBatchSize() - forming.size());
                            execute(backend, forming);
                        } finally {
                            turn.release();
                        }
                        forming = new ArrayList<>(batcher.maxBatchSize());
                    }
                }
            }
        } catch (InterruptedException e) {
            fail("worker interrupted", e); // kept only when not abandoned: an abandon's reason comes first
        } finally {
            queue.close(forming, lifecycle.phase().name().toLowerCase());
        }
    }

    private void take(List<Job> forming, long nanos) throws InterruptedException {
        Job job = queue.poll(nanos);
        if (job != null) {
            forming.add(job);
        }
    }

    private void execute(AlgoBackend backend, List<Job> jobs) {
        List<Job> live = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            if (job.abandoned()) {
                queue.done(1); // its caller gave up (timeout); the plugin never sees it
            } else {
                live.add(job);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        try {
            runJobs(backend, live);
        } finally {
            queue.done(live.size());
        }
    }

    /** Calls the plugin for {@code jobs}; the calling thread holds the turn. */
    private void runJobs(AlgoBackend backend, List<Job> jobs) {
        ModelSlots models = slots;
        if (models == null) {
            runPlain(backend, jobs);
            return;
        }
        // Per model, in order of arrival: its load (on a miss) comes first, then its requests.
        Map<String, List<Job>> byModel = new java.util.LinkedHashMap<>();
        for (Job job : jobs) {
            byModel.computeIfAbsent(job.request().subPath(), m -> new ArrayList<>()).add(job.withRequest(new ModelRequest(job.request())));
        }
        for (Map.Entry<String, List<Job>> group : byModel.entrySet()) {
            List<Job> ready = new ArrayList<>();
            for (Job job : group.getValue()) {
                Throwable failed = useModel(models, group.getKey());
                if (failed == null) {
                    ready.add(job);
                } else {
                    job.result().completeExceptionally(failed);
                }
            }
            if (!ready.isEmpty()) {
                runPlain(backend, ready);
            }
        }
    }

    /** Null when {@code model} is loaded now (counted as a hit or a miss), else what the requests for it fail with. */
    private Throwable useModel(ModelSlots models, String model) {
        if (!models.knows(model)) {
            return new io.modelserve.sdk.InvalidRequestException(404, "no model '" + model + "' in " + spec.name());
        }
        watchdog.enter("load");
        try {
            if (models.use((io.modelserve.sdk.MultiModelBackend) backend, model, true) == ModelSlots.Use.LOADED) {
                lifecycle.changed();
            }
            return null;
        } catch (Throwable t) {
            log.warn("replica {} of {}: loading model {} failed", id(), spec.name(), model, t);
            return new BackendFailure("loading model " + model + " failed: " + BackendFailure.describe(t), t);
        } finally {
            watchdog.leave();
        }
    }

    private void applyModelCommands(AlgoBackend backend) {
        ModelCommand command;
        while ((command = modelCommands.poll()) != null) {
            ModelSlots models = slots;
            if (models == null) {
                command.done().complete(false);
                continue;
            }
            io.modelserve.sdk.MultiModelBackend multi = (io.modelserve.sdk.MultiModelBackend) backend;
            watchdog.enter(command.load() ? "load" : "unload");
            try {
                boolean changed = command.load() ? models.use(multi, command.model(), false) == ModelSlots.Use.LOADED
                        : models.unload(multi, command.model());
                if (changed) {
                    lifecycle.changed();
                }
                command.done().complete(changed);
            } catch (Throwable t) {
                log.warn("replica {} of {}: loading model {} failed", id(), spec.name(), command.model(), t);
                command.done().completeExceptionally(new BackendFailure("loading model " + command.model() + " failed: "
                        + BackendFailure.describe(t), t));
            } finally {
                watchdog.leave();
            }
        }
    }

    private void runPlain(AlgoBackend backend, List<Job> jobs) {
        long began = System.nanoTime();
        for (Job job : jobs) {
            job.began().set(began);
        }
        BackendFailure failure = invoker.call(backend, protocol, jobs);
        metrics.recordRun(jobs, began, System.nanoTime() - began);
        if (failure != null && killable != null && !isAlive(backend)) {
            // The child JVM died under the call: say why now, rather than at the next health poll.
            fail(failure.getMessage(), null);
        }
    }

    private static boolean isAlive(AlgoBackend backend) {
        try {
            return backend.healthy();
        } catch (Throwable t) {
            return false;
        }
    }

    private void applyReconfigures(AlgoBackend backend) {
        Reconfigure change;
        while ((change = reconfigures.poll()) != null) {
            if (change.digest().equals(appliedConfigDigest)) {
                continue;
            }
            watchdog.enter("reconfigure");
            try {
                backend.reconfigure(change.config());
                appliedConfigDigest = change.digest();
                log.info("replica {} of {} reconfigured", id(), spec.name());
                lifecycle.changed();
            } catch (Throwable t) {
                String error = "reconfigure failed, previous configuration kept: " + BackendFailure.describe(t);
                appliedConfigDigest = change.digest(); // do not retry the same bad config in a loop
                log.warn("replica {} of {}: {}", id(), spec.name(), error, t);
                lifecycle.report(error);
            } finally {
                watchdog.leave();
            }
        }
    }

    /** The turn for close(): waits while an inline call runs, unless the replica failed (that call may hang). */
    private boolean awaitTurnForClose() {
        try {
            return turn.take(IDLE_POLL_NANOS, () -> lifecycle.phase() == Phase.FAILED) || turn.tryTake();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return turn.tryTake();
        }
    }

    private void fail(String message, Throwable cause) {
        if (!lifecycle.fail(message)) {
            return; // already failed or stopped: the first cause stays
        }
        if (cause != null) {
            log.error("replica {} of {}: {}", id(), spec.name(), message, cause);
        } else {
            log.error("replica {} of {}: {}", id(), spec.name(), message);
        }
    }

    /**
     * Refuses new work, hands queued jobs back to the router, closes the backend, then says STOPPED.
     * A caller's inline call still running is waited for (it is a request being served); one that
     * hung keeps the turn, and then the backend is left unclosed, as a hung worker would leave it.
     */
    private void shutdown(OpenedBackend opened) {
        queue.close(List.of(), lifecycle.phase().name().toLowerCase());
        boolean haveTurn = awaitTurnForClose();
        if (opened != null && !haveTurn) {
            log.warn("replica {} of {}: a call is still running in the plugin; close() skipped", id(), spec.name());
        } else if (opened != null) {
            try {
                opened.backend().close();
            } catch (Throwable t) {
                log.warn("replica {} of {}: close() threw", id(), spec.name(), t);
            }
            try {
                opened.resources().close();
            } catch (Exception e) {
                log.debug("replica {}: releasing resources", id(), e);
            }
        }
        if (haveTurn) {
            turn.release();
        }
        ModelCommand pending;
        while ((pending = modelCommands.poll()) != null) {
            pending.done().complete(false);
        }
        metrics.close();
        lifecycle.move(Phase.DRAINING, Phase.STOPPED);
        log.info("replica {} of {} {}", id(), spec.name(), phase() == Phase.FAILED ? "failed" : "stopped");
    }
}
