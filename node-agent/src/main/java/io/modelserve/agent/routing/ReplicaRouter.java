package io.modelserve.agent.routing;

import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.agent.runtime.Job;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.ReplicaGoneException;
import io.modelserve.agent.runtime.Rescue;
import io.modelserve.agent.transport.Delivery;
import io.modelserve.agent.transport.Forwarder;
import io.modelserve.agent.transport.Refusal;
import io.modelserve.agent.transport.RemoteChunkSource;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.Request;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a request to a ready replica of a deployment and waits for its answer.
 *
 * <p>Local replicas first (no hop), the less loaded of two random ones (power of two choices);
 * only when none can take it, a replica on another node, the least loaded as seen from here. A
 * replica that refuses (queue full, draining, not there) or stops before running the job is skipped
 * and the next one tried: the job never reached the plugin, so retrying cannot run it twice. That is
 * what keeps rolling replacements free of failed requests. A request lost with its node (the
 * connection broke after it was sent, or the node stopped answering) may have run; it is retried
 * once elsewhere only when the deployment says {@code retry = true}. Every such choice is
 * {@link RetryDecision#decide}'s, and which replica is next {@link ReplicaChoice}'s; this class
 * carries them out (a little over 300 lines: the local, remote, streaming and waiting-for-a-replica
 * cases of one request's loop, which share its history).
 */
public final class ReplicaRouter {
    private final ReplicaDirectory directory;
    private final Forwarder forwarder;

    public ReplicaRouter(ReplicaDirectory directory) {
        this(directory, new Forwarder(""));
    }

    public ReplicaRouter(ReplicaDirectory directory, Forwarder forwarder) {
        this.directory = directory;
        this.forwarder = forwarder;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /** Blocks the calling (virtual) thread until the request is answered or {@code timeout_ms} passes. */
    public Outcome dispatch(DeploymentSpec spec, Request request) {
        return dispatch(spec, request, null);
    }

    /** Whether {@code deployment} has a replica, here or on another node, that could take a request now. */
    public boolean hasReady(String deployment) {
        return !directory.running(deployment).isEmpty() || !directory.remote(deployment).isEmpty();
    }

    /**
     * As {@link #dispatch(DeploymentSpec, Request)}, but when no replica of {@code spec} can take the
     * request (a canary being removed or full), it goes to {@code fallback} instead: the job never
     * reached a plugin, so no request runs twice.
     *
     * @param fallback the main deployment of canary {@code spec}, or null
     */
    public Outcome dispatch(DeploymentSpec spec, Request request, DeploymentSpec fallback) {
        return dispatch(spec, request, fallback, false);
    }

    /**
     * @param stream the caller can write a stream: when the backend streams (here or on another node),
     *               the outcome is {@link Outcome.Served} with an {@link io.modelserve.agent.runtime.ChunkSource}
     *               as its result, as soon as the first chunk is there ({@code timeout_ms} bounds the wait)
     */
    public Outcome dispatch(DeploymentSpec spec, Request request, DeploymentSpec fallback, boolean stream) {
        return dispatch(spec, request, fallback, stream, null);
    }

    /**
     * As {@link #dispatch(DeploymentSpec, Request, DeploymentSpec, boolean)}; with a {@code rescue}, a
     * local replica found idle runs the request on this thread (no hand-off), and {@code rescue}
     * answers the caller if that call is still running at the deadline (see {@link Rescue}).
     */
    public Outcome dispatch(DeploymentSpec spec, Request request, DeploymentSpec fallback, boolean stream, Rescue rescue) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
        Set<String> skipped = new HashSet<>();
        // Part of this request's history, not liveness (PeerLiveness owns that): nodes where it may
        // already have run. A rerun never goes back there, even once the node answers probes again.
        Set<String> mayHaveRunOn = new HashSet<>();
        RetryDecision.History history = RetryDecision.History.start(spec.name(), spec.timeoutMs());
        // A multiplexed section's request carries its model as the sub-path (see Ingress).
        String model = spec.isMultiplexed() ? request.subPath() : "";
        while (true) {
            Replica replica = ReplicaChoice.local(directory.running(spec.name()), skipped, model);
            if (replica != null) {
                Attempt attempt = runLocal(replica, request, deadline, spec, stream, rescue);
                if (attempt.outcome() != null) {
                    return attempt.outcome();
                }
                Delivery refused = new Delivery.Refused(attempt.refusal(), "refused by " + replica.id());
                RetryDecision.Decision decision = RetryDecision.decide(refused, history.withDeadlinePassed(
                        System.nanoTime() >= deadline), spec.retry());
                history = history.after(refused, decision);
                if (decision instanceof RetryDecision.Fail fail) {
                    return Outcome.Refused.of(fail.status(), fail.message());
                }
                skipped.add(replica.id());
                continue;
            }
            RemoteReplica remote = pickRemote(ReplicaChoice.holders(directory.remote(spec.name()), model), skipped, mayHaveRunOn);
            if (remote == null && !model.isEmpty()) {
                remote = pickRemote(directory.remote(spec.name()), skipped, mayHaveRunOn); // holders all skipped
            }
            if (remote == null && fallback != null) {
                spec = fallback;
                fallback = null;
                history = history.forDeployment(spec.name(), spec.timeoutMs());
                continue;
            }
            if (remote == null && !history.sawFull() && (spec.replicas() > 0 || spec.isAutoscaled())
                    && awaitReplica(spec, deadline, skipped, mayHaveRunOn)) {
                continue;
            }
            if (remote == null) {
                if (history.sawFull()) {
                    return Outcome.Refused.of(503, spec.name() + " is overloaded: every replica's queue is full (max_queued = "
                            + spec.maxQueued() + ")");
                }
                return Outcome.Refused.of(503, "no replica of " + spec.name() + " is ready"
                        + (directory.starting(spec.name()) ? " yet (starting)" : "; see `modelserve status`"));
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return timedOut(spec);
            }
            // Give up on a frozen peer early only where the decision would then send it elsewhere.
            boolean rerunnable = spec.retry() && history.rerunsAfterLoss() == 0;
            Delivery result = forwarder.forward(remote, request, left, stream, rerunnable);
            RetryDecision.Decision decision = RetryDecision.decide(result, history.withDeadlinePassed(
                    System.nanoTime() >= deadline), spec.retry());
            history = history.after(result, decision);
            switch (decision) {
                case RetryDecision.Accept accept -> {
                    return answeredRemotely((Delivery.Answered) result, remote, stream);
                }
                case RetryDecision.TryAnother tryAnother -> {
                    skipped.add(remote.replicaId());
                    if (result instanceof Delivery.MayHaveRun) {
                        mayHaveRunOn.add(remote.node());
                    }
                }
                case RetryDecision.Fail fail -> {
                    return Outcome.Refused.of(fail.status(), fail.message());
                }
            }
        }
    }

    /** Runs a request on one given local replica (a request forwarded here by another node). */
    public Outcome dispatchTo(Replica replica, Request request, long timeoutMillis) {
        return dispatchTo(replica, request, timeoutMillis, false);
    }

    /** As {@link #dispatchTo(Replica, Request, long)}; {@code stream} as in {@link #dispatch(DeploymentSpec, Request, DeploymentSpec, boolean)}. */
    public Outcome dispatchTo(Replica replica, Request request, long timeoutMillis, boolean stream) {
        return dispatchTo(replica, request, timeoutMillis, stream, null);
    }

    /** As {@link #dispatchTo(Replica, Request, long, boolean)}; {@code rescue} as in {@link #dispatch(DeploymentSpec, Request, DeploymentSpec, boolean, Rescue)}. */
    public Outcome dispatchTo(Replica replica, Request request, long timeoutMillis, boolean stream, Rescue rescue) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Attempt attempt = runLocal(replica, request, deadline, replica.assignment().spec(), stream, rescue);
        if (attempt.outcome() != null) {
            return attempt.outcome();
        }
        return new Outcome.Refused(503, attempt.refusal() == Refusal.QUEUE_FULL ? "queue full" : "replica not ready", 1,
                attempt.refusal());
    }

    /** A local try: an outcome, or null with why the replica refused it (then try another). */
    private record Attempt(Outcome outcome, Refusal refusal) {
        static Attempt done(Outcome outcome) {
            return new Attempt(outcome, null);
        }

        static Attempt refused(Refusal refusal) {
            return new Attempt(null, refusal);
        }
    }

    private Attempt runLocal(Replica replica, Request request, long deadline, DeploymentSpec spec, boolean stream, Rescue rescue) {
        // Plain backends keep the plain path: no channel, no wait on two futures.
        Job job = stream && replica.streams() ? Job.streaming(request)
                : rescue != null ? Job.inline(request, rescue, deadline) : Job.of(request);
        switch (replica.submit(job)) {
            case FULL -> {
                return Attempt.refused(Refusal.QUEUE_FULL);
            }
            case NOT_READY -> {
                return Attempt.refused(Refusal.NOT_READY);
            }
            case ACCEPTED -> { }
        }
        try {
            long left = Math.max(deadline - System.nanoTime(), 0);
            Object result;
            if (job.stream() == null) {
                result = job.result().get(left, TimeUnit.NANOSECONDS);
            } else {
                // The first chunk, or the whole answer of a backend that does not stream, whichever comes first.
                try {
                    CompletableFuture.anyOf(job.result(), job.stream().started()).get(left, TimeUnit.NANOSECONDS);
                } catch (ExecutionException failedFirst) {
                    // read from job.result() below, with its own cause
                }
                result = job.result().isDone() ? job.result().get() : job.stream();
            }
            return Attempt.done(new Outcome.Served(result, null, replica.id(), job.timing(System.nanoTime())));
        } catch (TimeoutException e) {
            job.result().cancel(false);
            cancelStream(job);
            return Attempt.done(timedOut(spec).ranOn(null, replica.id(), job.timing(System.nanoTime())));
        } catch (InterruptedException e) {
            job.result().cancel(false);
            cancelStream(job);
            Thread.currentThread().interrupt();
            return Attempt.done(Outcome.Refused.of(503, "request interrupted while waiting for " + spec.name()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplicaGoneException) {
                return Attempt.refused(Refusal.REPLICA_GONE);
            }
            if (e.getCause() instanceof TimeoutException) {
                // run on this thread past its deadline; the rescue answered
                return Attempt.done(timedOut(spec).ranOn(null, replica.id(), job.timing(System.nanoTime())));
            }
            if (invalidRequest(e.getCause()) instanceof io.modelserve.sdk.InvalidRequestException invalid) {
                // The client's mistake, as the plugin said: its 4xx and message, not a 500.
                return Attempt.done(Outcome.Refused.of(invalid.status(), invalid.getMessage())
                        .ranOn(null, replica.id(), job.timing(System.nanoTime())));
            }
            if (e.getCause() instanceof BackendFailure failure
                    && failure.getCause() instanceof io.modelserve.sdk.DeploymentCallException call) {
                // A composed deployment's callee refused or failed: the caller answers with its status.
                // Its 503 is this request's answer (no refusal code): the caller's plugin ran.
                return Attempt.done(Outcome.Refused.of(call.httpStatus(), call.getMessage())
                        .ranOn(null, replica.id(), job.timing(System.nanoTime())));
            }
            String message = e.getCause() instanceof BackendFailure failure ? failure.getMessage()
                    : BackendFailure.describe(e.getCause());
            return Attempt.done(Outcome.Refused.of(500, message).ranOn(null, replica.id(), job.timing(System.nanoTime())));
        }
    }

    /** The plugin's {@link io.modelserve.sdk.InvalidRequestException}, as thrown or wrapped in a {@link BackendFailure}; else null. */
    static io.modelserve.sdk.InvalidRequestException invalidRequest(Throwable failure) {
        Throwable thrown = failure instanceof BackendFailure wrapped ? wrapped.getCause() : failure;
        return thrown instanceof io.modelserve.sdk.InvalidRequestException invalid ? invalid : null;
    }

    private static void cancelStream(Job job) {
        if (job.stream() != null) {
            job.stream().cancel();
        }
    }

    private static Outcome.Refused timedOut(DeploymentSpec spec) {
        return Outcome.Refused.of(504, spec.name() + " did not answer within timeout_ms = " + spec.timeoutMs());
    }

    private Outcome answeredRemotely(Delivery.Answered answered, RemoteReplica remote, boolean stream) {
        if (stream && answered.status() == 200 && answered.body().hasNonNull("stream")) {
            // The other node started a stream and parked it: its chunks come over a connection of their own.
            return new Outcome.Served(new RemoteChunkSource(remote.baseUrl() + "/-/stream/"
                    + answered.body().path("stream").asText(), forwarder.clusterSecret(), remote.node()),
                    remote.node(), remote.replicaId(), answered.timing());
        }
        if (answered.shaped() != null) {
            String info = answered.shaped().info();
            int slash = info.indexOf('/');
            return new Outcome.Served(answered.shaped().response(), slash < 0 ? remote.node() : info.substring(0, slash),
                    slash < 0 ? remote.replicaId() : info.substring(slash + 1), answered.timing());
        }
        if (answered.status() == 200 && answered.body().path("status").asInt() == 1) {
            String info = answered.body().path("info").asText(remote.node() + "/" + remote.replicaId());
            int slash = info.indexOf('/');
            return new Outcome.Served(answered.body().get("result"), slash < 0 ? remote.node() : info.substring(0, slash),
                    slash < 0 ? remote.replicaId() : info.substring(slash + 1), answered.timing());
        }
        int retryAfter = answered.status() == 503 ? 1 : 0;
        Outcome.Refused refused = new Outcome.Refused(answered.status(),
                answered.body().path("error").asText("error from " + remote.node()), retryAfter);
        // A peer that ran the plugin says so with its timing; a refusal before that names no replica.
        return answered.timing().known() ? refused.ranOn(remote.node(), remote.replicaId(), answered.timing()) : refused;
    }

    /**
     * No replica can take the request now, though the deployment wants some: they are being
     * replaced (a node was lost, a rollout is under way). Waits for one to become ready, bounded by
     * the request's deadline and {@link #MAX_READY_WAIT_NANOS}, rather than failing at once.
     */
    private boolean awaitReplica(DeploymentSpec spec, long deadline, Set<String> skipped, Set<String> mayHaveRunOn) {
        // An autoscaled deployment may be at zero: ask for a replica and wait for its cold start,
        // bounded by timeout_ms only.
        long until = spec.isAutoscaled() ? deadline : Math.min(deadline, System.nanoTime() + MAX_READY_WAIT_NANOS);
        if (spec.isAutoscaled()) {
            demandSignal.accept(spec.name());
        }
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (ReplicaChoice.local(directory.running(spec.name()), skipped) != null
                    || pickRemote(directory.remote(spec.name()), skipped, mayHaveRunOn) != null) {
                return true;
            }
        }
        return false;
    }

    private static final long MAX_READY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private volatile java.util.function.Consumer<String> demandSignal = deployment -> { };

    /** Told the name of an autoscaled deployment for which a request found no replica. */
    public void setDemandSignal(java.util.function.Consumer<String> signal) {
        this.demandSignal = signal;
    }

    private RemoteReplica pickRemote(List<RemoteReplica> remote, Set<String> skipped, Set<String> mayHaveRunOn) {
        return ReplicaChoice.remote(remote, skipped, mayHaveRunOn, forwarder.liveness()::isLive, forwarder::outstanding,
                ThreadLocalRandom.current());
    }

}
