package io.modelserve.agent.runtime;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.StreamingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the plugin for a batch of jobs and completes each job's result: the one place that maps what
 * a plugin returns or throws onto its callers. With {@code max_batch_size > 1} jobs go to
 * {@code inferenceBatch} (a {@link Throwable} in the returned list fails that caller only, a list of
 * the wrong size fails all, and says so); otherwise each goes to {@code inference}, or to
 * {@code inferenceStream} when the caller takes a stream and the backend streams. A failure is a
 * {@link BackendFailure} carrying the plugin's one-line message and, as its cause, what it threw.
 * Used by the replica's worker and by the plugin test kit.
 */
public final class Invoker {
    private static final Logger log = LoggerFactory.getLogger(Invoker.class);

    private final String name;
    private final boolean batching;
    private final Watchdog watchdog;
    private final IntConsumer batchSizes;

    /**
     * @param name       "replica X of Y", for the log
     * @param batching   whether calls go to {@code inferenceBatch} ({@code max_batch_size > 1})
     * @param batchSizes told the size of each {@code inferenceBatch} call
     */
    public Invoker(String name, boolean batching, Watchdog watchdog, IntConsumer batchSizes) {
        this.name = name;
        this.batching = batching;
        this.watchdog = watchdog;
        this.batchSizes = batchSizes;
    }

    /** Runs {@code jobs} and completes every one of them; returns the first failure, or null. */
    public BackendFailure call(AlgoBackend backend, List<Job> jobs) {
        return call(backend, PluginProtocol.NONE, jobs);
    }

    /** As {@link #call(AlgoBackend, List)}; the calls {@code protocol} handles go to it, one at a time, never to the plugin's route. */
    public BackendFailure call(AlgoBackend backend, PluginProtocol protocol, List<Job> jobs) {
        if (protocol != PluginProtocol.NONE && jobs.stream().anyMatch(job -> protocol.handles(job.request()))) {
            BackendFailure first = null;
            for (Job job : jobs) {
                if (protocol.handles(job.request())) {
                    BackendFailure failure = runProtocol(backend, protocol, job);
                    first = first == null ? failure : first;
                }
            }
            List<Job> rest = jobs.stream().filter(job -> !protocol.handles(job.request())).toList();
            BackendFailure restFailure = rest.isEmpty() ? null : call(backend, rest);
            return first != null ? first : restFailure;
        }
        if (jobs.stream().anyMatch(job -> EmbeddingCall.is(job.request()))) {
            List<Job> embeddings = jobs.stream().filter(job -> EmbeddingCall.is(job.request())).toList();
            BackendFailure failure = runEmbeddings(backend, embeddings);
            List<Job> rest = jobs.stream().filter(job -> !EmbeddingCall.is(job.request())).toList();
            BackendFailure restFailure = rest.isEmpty() ? null : call(backend, rest);
            return failure != null ? failure : restFailure;
        }
        if (batching) {
            return runBatch(backend, jobs);
        }
        BackendFailure first = null;
        for (Job job : jobs) {
            BackendFailure failure = runOne(backend, job);
            first = first == null ? failure : first;
        }
        return first;
    }

    private BackendFailure runOne(AlgoBackend backend, Job job) {
        if (job.stream() != null && backend instanceof StreamingBackend streaming) {
            return runStream(streaming, job, job.stream());
        }
        watchdog.enter("inference");
        try {
            job.result().complete(backend.inference(job.request()));
            return null;
        } catch (Throwable t) {
            BackendFailure failure = failure(t);
            job.result().completeExceptionally(failure);
            return failure;
        } finally {
            watchdog.leave();
        }
    }

    /** A failure before the first chunk is an ordinary error answer; after it, the stream's last item. */
    private BackendFailure runStream(StreamingBackend backend, Job job, ChunkChannel channel) {
        watchdog.enter("inferenceStream");
        channel.onEmit(watchdog::touch);
        try {
            backend.inferenceStream(job.request(), channel);
            channel.finish();
            job.result().complete(channel);
            return null;
        } catch (Throwable t) {
            BackendFailure failure = failure(t);
            if (channel.started().isDone()) {
                channel.fail(failure.getMessage());
                job.result().complete(channel);
            } else {
                job.result().completeExceptionally(failure);
            }
            return failure;
        } finally {
            watchdog.leave();
        }
    }

    private BackendFailure runBatch(AlgoBackend backend, List<Job> jobs) {
        batchSizes.accept(jobs.size());
        List<Request> requests = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            requests.add(job.request());
        }
        List<Object> results;
        watchdog.enter("inferenceBatch");
        try {
            results = backend.inferenceBatch(requests);
        } catch (Throwable t) {
            return failAll(jobs, failure(t));
        } finally {
            watchdog.leave();
        }
        if (results == null || results.size() != jobs.size()) {
            return failAll(jobs, new BackendFailure("inferenceBatch returned " + (results == null ? "null" : results.size()
                    + " results") + " for " + jobs.size() + " requests", null));
        }
        BackendFailure first = null;
        for (int i = 0; i < jobs.size(); i++) {
            Object result = results.get(i);
            if (result instanceof Throwable t) {
                BackendFailure failure = failure(t);
                jobs.get(i).result().completeExceptionally(failure);
                first = first == null ? failure : first;
            } else {
                jobs.get(i).result().complete(result);
            }
        }
        return first;
    }

    private BackendFailure runProtocol(AlgoBackend backend, PluginProtocol protocol, Job job) {
        watchdog.enter("infer");
        try {
            job.result().complete(protocol.answer(backend, job.request()));
            return null;
        } catch (Throwable t) {
            BackendFailure failure = failure(t);
            job.result().completeExceptionally(failure);
            return failure;
        } finally {
            watchdog.leave();
        }
    }

    /** OpenAI-style embedding calls: one {@code embed} for all of them, or "not an embedder". */
    private BackendFailure runEmbeddings(AlgoBackend backend, List<Job> jobs) {
        if (!(backend instanceof io.modelserve.sdk.TextEmbedder embedder)) {
            jobs.forEach(job -> job.result().complete(EmbeddingCall.notEmbedder(backend)));
            return null;
        }
        watchdog.enter("embed");
        try {
            EmbeddingCall.run(embedder, jobs);
            return null;
        } catch (Throwable t) {
            return failAll(jobs.stream().filter(job -> !job.result().isDone()).toList(), failure(t));
        } finally {
            watchdog.leave();
        }
    }

    private static BackendFailure failAll(List<Job> jobs, BackendFailure failure) {
        jobs.forEach(job -> job.result().completeExceptionally(failure));
        return failure;
    }

    private BackendFailure failure(Throwable t) {
        if (t instanceof io.modelserve.sdk.InvalidRequestException invalid) {
            // The client's mistake, answered with its 4xx: no stack trace per bad request in the log.
            log.debug("{}: request refused with {}: {}", name, invalid.status(), invalid.getMessage());
        } else if (t instanceof Error && !(t instanceof AssertionError) && !(t instanceof LinkageError)) {
            log.error("{}: inference raised {}", name, t.toString(), t);
        } else {
            log.warn("{}: inference failed", name, t);
        }
        return new BackendFailure(BackendFailure.describe(t), t);
    }
}
