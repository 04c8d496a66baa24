package io.modelserve.agent.ingress;

import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.agent.runtime.Job;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.runtime.ReplicaGoneException;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a request to a ready replica of a deployment and waits for its answer.
 *
 * <p>Choice: the less loaded of two random replicas (power of two choices), which is close to
 * least-loaded without scanning. A replica that refuses (queue full, draining) or stops before
 * running the job is skipped and the next one tried: the job never reached the plugin, so retrying
 * cannot run it twice. That is what keeps rolling replacements free of failed requests.
 */
public final class ReplicaRouter {
    private final ReplicaDirectory directory;

    public ReplicaRouter(ReplicaDirectory directory) {
        this.directory = directory;
    }

    /** Blocks the calling (virtual) thread until the request is answered or {@code timeout_ms} passes. */
    public Outcome dispatch(DeploymentSpec spec, Request request) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
        Set<String> skipped = new HashSet<>();
        boolean sawFull = false;
        while (true) {
            Replica replica = pick(directory.running(spec.name()), skipped);
            if (replica == null) {
                if (sawFull) {
                    return Outcome.Refused.of(503, spec.name() + " is overloaded: every replica's queue is full (max_queued = "
                            + spec.maxQueued() + ")");
                }
                return Outcome.Refused.of(503, "no replica of " + spec.name() + " is ready"
                        + (directory.starting(spec.name()) ? " yet (starting)" : "; see `modelserve status`"));
            }
            Job job = Job.of(request);
            switch (replica.submit(job)) {
                case FULL -> {
                    sawFull = true;
                    skipped.add(replica.id());
                    continue;
                }
                case NOT_READY -> {
                    skipped.add(replica.id());
                    continue;
                }
                case ACCEPTED -> { }
            }
            try {
                long left = deadline - System.nanoTime();
                return new Outcome.Served(job.result().get(Math.max(left, 0), TimeUnit.NANOSECONDS), replica.id());
            } catch (TimeoutException e) {
                job.result().cancel(false);
                return Outcome.Refused.of(504, spec.name() + " did not answer within timeout_ms = " + spec.timeoutMs());
            } catch (InterruptedException e) {
                job.result().cancel(false);
                Thread.currentThread().interrupt();
                return Outcome.Refused.of(503, "request interrupted while waiting for " + spec.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ReplicaGoneException) {
                    skipped.add(replica.id());
                    continue;
                }
                String message = e.getCause() instanceof BackendFailure failure ? failure.getMessage()
                        : BackendFailure.describe(e.getCause());
                return Outcome.Refused.of(500, message);
            }
        }
    }

    private static Replica pick(List<Replica> running, Set<String> skipped) {
        List<Replica> candidates = running;
        if (!skipped.isEmpty()) {
            candidates = new ArrayList<>(running.size());
            for (Replica r : running) {
                if (!skipped.contains(r.id())) {
                    candidates.add(r);
                }
            }
        }
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return candidates.getFirst();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Replica a = candidates.get(random.nextInt(n));
        Replica b = candidates.get(random.nextInt(n - 1));
        if (b == a) {
            b = candidates.get(n - 1);
        }
        return a.ongoing() <= b.ongoing() ? a : b;
    }
}
