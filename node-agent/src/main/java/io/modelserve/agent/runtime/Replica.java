package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.Gauge;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.StreamingBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One backend instance with its own worker thread and a bounded queue.
 *
 * <p>Everything the plugin sees — {@code init}, {@code inference(Batch)}, {@code reconfigure},
 * {@code healthy}, {@code close} — runs on the worker thread, so plugins need not be thread-safe.
 * Callers only touch the queue: {@link #submit(Job)} never blocks, a full queue is refused at once.
 */
public final class Replica {
    private static final Logger log = LoggerFactory.getLogger(Replica.class);
    private static final long HEALTH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The replica's lifecycle as its node sees it. */
    public enum Phase { STARTING, RUNNING, DRAINING, FAILED, STOPPED }

    /** Whether a job was taken. */
    public enum Admission { ACCEPTED, FULL, NOT_READY }

    /** A change of configuration, applied on the worker thread between requests. */
    private record Reconfigure(Map<String, String> config, String digest) {}

    private final ReplicaAssignment assignment;
    private final DeploymentSpec spec;
    private final String nodeId;
    private final OpenedBackend.Opener opener;
    private final ReplicaMetrics metrics;
    private final Function<String, io.modelserve.sdk.DeploymentHandle> handles;
    private final Runnable onChange;
    private final int restarts;
    private final BlockingQueue<Job> queue;
    private final ConcurrentLinkedQueue<Reconfigure> reconfigures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ongoing = new AtomicInteger();
    private final Thread worker;
    private final long createdAtMillis = System.currentTimeMillis();

    private volatile Phase phase = Phase.STARTING;
    private volatile boolean closed;
    private volatile boolean stopRequested;
    private volatile String lastError;
    private volatile String appliedConfigDigest = "";
    private volatile long busySinceNanos;
    private volatile Killable killable;
    private volatile boolean streams;

    public Replica(ReplicaAssignment assignment, String nodeId, int restarts, String previousError,
            OpenedBackend.Opener opener, ReplicaMetrics metrics,
            Function<String, io.modelserve.sdk.DeploymentHandle> handles, Runnable onChange) {
        this.assignment = assignment;
        this.spec = assignment.spec();
        this.nodeId = nodeId;
        this.restarts = restarts;
        this.lastError = previousError;
        this.opener = opener;
        this.metrics = metrics;
        this.handles = handles;
        this.onChange = onChange;
        this.queue = new ArrayBlockingQueue<>(spec.maxQueued());
        // Through the plugin's registry: tagged with deployment and replica, and removed when it stops.
        Gauge.builder("modelserve.replica.queue.depth", queue, BlockingQueue::size)
                .description("Requests waiting in the replica's queue").register(metrics.pluginRegistry());
        Gauge.builder("modelserve.replica.inflight", this, r -> Math.max(0, r.ongoing() - r.queued()))
                .description("Requests the plugin is working on now").register(metrics.pluginRegistry());
        this.worker = Thread.ofPlatform().name("replica-" + assignment.replicaId()).daemon(true).unstarted(this::run);
    }

    public void start() {
        worker.start();
    }

    /** Queues a job, or says at once why not; never blocks. */
    public Admission submit(Job job) {
        if (phase != Phase.RUNNING || closed) {
            return Admission.NOT_READY;
        }
        ongoing.incrementAndGet();
        if (!queue.offer(job)) {
            ongoing.decrementAndGet();
            return Admission.FULL;
        }
        // The worker may have drained the queue and exited between the check above and the offer.
        if (closed && queue.remove(job)) {
            ongoing.decrementAndGet();
            return Admission.NOT_READY;
        }
        return Admission.ACCEPTED;
    }

    /** Applies new {@code config.*} values on the worker thread, without a restart. */
    public void reconfigure(Map<String, String> config, String digest) {
        reconfigures.add(new Reconfigure(Map.copyOf(config), digest));
    }

    /** Takes no new work, finishes what is queued, then closes the backend. */
    public void drain() {
        stopRequested = true;
        if (phase == Phase.RUNNING) {
            setPhase(Phase.DRAINING);
        }
    }

    /**
     * Gives up on a replica whose plugin call never returns: marks it FAILED with {@code reason}, hands
     * its queued requests back to the router (they never reached the plugin, so they go to other
     * replicas) and interrupts the worker. The stuck thread cannot be killed in-process; it is left to
     * finish or not, and the node starts a fresh replica in its place.
     */
    public void abandon(String reason) {
        if (phase == Phase.FAILED || phase == Phase.STOPPED) {
            return;
        }
        fail(reason, null);
        closed = true;
        if (killable != null) {
            killable.kill(); // a child JVM can be stopped for real; its stuck call then returns
        }
        Job job;
        while ((job = queue.poll()) != null) {
            ongoing.decrementAndGet();
            job.result().completeExceptionally(new ReplicaGoneException(id(), "abandoned: " + reason));
        }
        worker.interrupt();
    }

    public String id() {
        return assignment.replicaId();
    }

    public ReplicaAssignment assignment() {
        return assignment;
    }

    public Phase phase() {
        return phase;
    }

    public int ongoing() {
        return ongoing.get();
    }

    public int queued() {
        return queue.size();
    }

    public int restarts() {
        return restarts;
    }

    public String lastError() {
        return lastError;
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

    /** Nanos the current call has been running, or 0 when idle. */
    public long busyForNanos() {
        long since = busySinceNanos;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    private void run() {
        try {
            runWorker();
        } catch (Throwable t) {
            // Never let the worker die silently: queued callers would wait for their timeout.
            fail("worker crashed: " + BackendFailure.describe(t), t);
            closed = true;
            Job job;
            while ((job = queue.poll()) != null) {
                ongoing.decrementAndGet();
                job.result().completeExceptionally(new ReplicaGoneException(id(), "worker crashed"));
            }
        }
    }

    private void runWorker() {
        MDC.put("deployment", spec.name());
        MDC.put("replica", id());
        OpenedBackend opened = null;
        try {
            opened = opener.open(assignment);
            killable = opened.backend() instanceof Killable k ? k : null;
            Thread.currentThread().setContextClassLoader(opened.backend().getClass().getClassLoader());
            BackendContext context = new ReplicaContext(spec.name(), id(), opened.modelPaths(), spec.config(),
                    assignment.device(), metrics.pluginRegistry(), handles);
            opened.backend().init(context);
            appliedConfigDigest = spec.configDigest();
            streams = opened.backend() instanceof StreamingBackend;
        } catch (Throwable t) {
            fail("init failed: " + BackendFailure.describe(t), t);
            shutdown(opened);
            return;
        }
        log.info("replica {} of {} ready on {}", id(), spec.name(), nodeId);
        if (stopRequested) {
            shutdown(opened);
            return;
        }
        setPhase(Phase.RUNNING);
        if (stopRequested) {
            // drain() ran between the check above and RUNNING: it saw STARTING and left the phase to us.
            setPhase(Phase.DRAINING);
        }
        serve(opened.backend());
        shutdown(opened);
    }

    private void serve(AlgoBackend backend) {
        long nextHealthCheck = System.nanoTime() + HEALTH_INTERVAL_NANOS;
        List<Job> batch = new ArrayList<>(spec.maxBatchSize());
        while (true) {
            applyReconfigures(backend);
            if (phase == Phase.DRAINING && queue.isEmpty()) {
                return;
            }
            if (System.nanoTime() >= nextHealthCheck) {
                if (!isHealthy(backend)) {
                    return;
                }
                nextHealthCheck = System.nanoTime() + HEALTH_INTERVAL_NANOS;
            }
            Job first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                fail("worker interrupted", e);
                return;
            }
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            fillBatch(batch);
            execute(backend, batch);
            if (phase == Phase.FAILED) {
                return;
            }
        }
    }

    /** Waits up to {@code batch_wait_ms} for more jobs, or until the batch is full. */
    private void fillBatch(List<Job> batch) {
        int max = spec.maxBatchSize();
        if (max <= 1) {
            return;
        }
        queue.drainTo(batch, max - batch.size());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.batchWaitMs());
        while (batch.size() < max) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Job next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return;
                }
                batch.add(next);
                queue.drainTo(batch, max - batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void execute(AlgoBackend backend, List<Job> jobs) {
        List<Job> live = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            if (job.abandoned()) {
                ongoing.decrementAndGet();
            } else {
                live.add(job);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        busySinceNanos = System.nanoTime();
        try {
            if (spec.maxBatchSize() <= 1) {
                runOne(backend, live.getFirst());
            } else {
                runBatch(backend, live);
            }
        } finally {
            busySinceNanos = 0;
            ongoing.addAndGet(-live.size());
        }
        if (killable != null && live.stream().anyMatch(job -> job.result().isCompletedExceptionally()) && !isAlive(backend)) {
            // The child JVM died under the call: say why now, rather than at the next health poll.
            String cause;
            try {
                live.getFirst().result().join();
                cause = "child JVM stopped";
            } catch (RuntimeException e) {
                cause = BackendFailure.describe(e.getCause() == null ? e : e.getCause());
            }
            fail(cause, null);
        }
    }

    private static boolean isAlive(AlgoBackend backend) {
        try {
            return backend.healthy();
        } catch (Throwable t) {
            return false;
        }
    }

    private void runOne(AlgoBackend backend, Job job) {
        if (job.stream() != null && backend instanceof StreamingBackend streaming) {
            runStream(streaming, job, job.stream());
            return;
        }
        try {
            job.result().complete(backend.inference(job.request()));
        } catch (Throwable t) {
            job.result().completeExceptionally(failure(t));
        }
    }

    /** A failure before the first chunk is an ordinary error answer; after it, the stream's last item. */
    private void runStream(StreamingBackend backend, Job job, ChunkChannel channel) {
        channel.onEmit(() -> busySinceNanos = System.nanoTime());
        try {
            backend.inferenceStream(job.request(), channel);
            channel.finish();
            job.result().complete(channel);
        } catch (Throwable t) {
            BackendFailure failure = failure(t);
            if (channel.started().isDone()) {
                channel.fail(failure.getMessage());
                job.result().complete(channel);
            } else {
                job.result().completeExceptionally(failure);
            }
        }
    }

    private void runBatch(AlgoBackend backend, List<Job> jobs) {
        metrics.recordBatch(jobs.size());
        List<Request> requests = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            requests.add(job.request());
        }
        List<Object> results;
        try {
            results = backend.inferenceBatch(requests);
        } catch (Throwable t) {
            BackendFailure failure = failure(t);
            jobs.forEach(job -> job.result().completeExceptionally(failure));
            return;
        }
        if (results == null || results.size() != jobs.size()) {
            BackendFailure wrongSize = new BackendFailure("inferenceBatch returned " + (results == null ? "null" : results.size()
                    + " results") + " for " + jobs.size() + " requests", null);
            jobs.forEach(job -> job.result().completeExceptionally(wrongSize));
            return;
        }
        for (int i = 0; i < jobs.size(); i++) {
            Object result = results.get(i);
            if (result instanceof Throwable t) {
                jobs.get(i).result().completeExceptionally(failure(t));
            } else {
                jobs.get(i).result().complete(result);
            }
        }
    }

    private BackendFailure failure(Throwable t) {
        if (t instanceof Error && !(t instanceof AssertionError) && !(t instanceof LinkageError)) {
            log.error("replica {} of {}: inference raised {}", id(), spec.name(), t.toString(), t);
        } else {
            log.warn("replica {} of {}: inference failed", id(), spec.name(), t);
        }
        return new BackendFailure(BackendFailure.describe(t), t);
    }

    private void applyReconfigures(AlgoBackend backend) {
        Reconfigure change;
        while ((change = reconfigures.poll()) != null) {
            if (change.digest().equals(appliedConfigDigest)) {
                continue;
            }
            try {
                backend.reconfigure(change.config());
                appliedConfigDigest = change.digest();
                log.info("replica {} of {} reconfigured", id(), spec.name());
            } catch (Throwable t) {
                lastError = "reconfigure failed, previous configuration kept: " + BackendFailure.describe(t);
                appliedConfigDigest = change.digest(); // do not retry the same bad config in a loop
                log.warn("replica {} of {}: {}", id(), spec.name(), lastError, t);
            }
            notifyChange();
        }
    }

    private boolean isHealthy(AlgoBackend backend) {
        try {
            if (backend.healthy()) {
                return true;
            }
            fail("healthy() returned false", null);
        } catch (Throwable t) {
            fail("healthy() threw " + BackendFailure.describe(t), t);
        }
        return false;
    }

    private void fail(String message, Throwable cause) {
        lastError = message;
        if (cause != null) {
            log.error("replica {} of {}: {}", id(), spec.name(), message, cause);
        } else {
            log.error("replica {} of {}: {}", id(), spec.name(), message);
        }
        setPhase(Phase.FAILED);
    }

    /** Refuses new work, hands queued jobs back to the router, closes the backend. */
    private void shutdown(OpenedBackend opened) {
        closed = true;
        Job job;
        while ((job = queue.poll()) != null) {
            ongoing.decrementAndGet();
            job.result().completeExceptionally(new ReplicaGoneException(id(), phase.name().toLowerCase()));
        }
        if (opened != null) {
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
        metrics.close();
        if (phase != Phase.FAILED) {
            setPhase(Phase.STOPPED);
        } else {
            notifyChange();
        }
        log.info("replica {} of {} {}", id(), spec.name(), phase == Phase.FAILED ? "failed" : "stopped");
    }

    private void setPhase(Phase next) {
        phase = next;
        notifyChange();
    }

    private void notifyChange() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.error("replica {}: phase listener failed", id(), e);
        }
    }
}
