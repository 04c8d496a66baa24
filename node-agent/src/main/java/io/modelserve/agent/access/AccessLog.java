package io.modelserve.agent.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.runtime.RunTiming;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.ServeSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log of the requests this node's front doors received: {@code <dir>/<deployment>.log},
 * one {@link AccessLine} per line, when {@code access_log} is on for the deployment.
 *
 * <p>A request thread only offers its line to a bounded queue and goes on: one writer thread owns
 * the files and writes what it finds. A line that finds the queue full is dropped and counted in
 * {@code modelserve_access_log_dropped_total}, so a slow disk never slows a request. A file past
 * {@code maxFileBytes} becomes {@code <deployment>.log.1} (replacing the previous one) and a new one begins.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_CAPACITY = 8_192;

    /** Logs nothing (tests, and nodes built without one). */
    public static final AccessLog OFF = new AccessLog();

    private final Path dir;
    private final String nodeId;
    private final Supplier<ServeSettings.Telemetry> settings;
    private final InstantSource clock;
    private final long maxFileBytes;
    private final BlockingQueue<AccessLine> pending;
    private final Counter dropped;
    private final Thread writer;
    /** The writer thread's alone. */
    private final Map<String, OpenFile> files = new HashMap<>();
    private volatile boolean closed;

    private AccessLog() {
        this.dir = null;
        this.nodeId = "";
        this.settings = () -> ServeSettings.Telemetry.DEFAULTS;
        this.clock = InstantSource.system();
        this.maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        this.pending = new ArrayBlockingQueue<>(1);
        this.dropped = null;
        this.writer = null;
    }

    /** Starts the writer thread. */
    public AccessLog(Path dir, String nodeId, Supplier<ServeSettings.Telemetry> settings, MeterRegistry meters) {
        this(dir, nodeId, settings, meters, InstantSource.system(), DEFAULT_MAX_FILE_BYTES, DEFAULT_CAPACITY, true);
    }

    /** @param startWriter false for tests that fill the queue before anything drains it */
    AccessLog(Path dir, String nodeId, Supplier<ServeSettings.Telemetry> settings, MeterRegistry meters, InstantSource clock,
            long maxFileBytes, int capacity, boolean startWriter) {
        this.dir = dir;
        this.nodeId = nodeId;
        this.settings = settings;
        this.clock = clock;
        this.maxFileBytes = maxFileBytes;
        this.pending = new ArrayBlockingQueue<>(capacity);
        this.dropped = Counter.builder("modelserve.access.log.dropped")
                .description("Access log lines dropped because the writer was behind (its queue was full)")
                .tag("node", nodeId).register(meters);
        this.writer = Thread.ofPlatform().daemon().name("access-log-" + nodeId).unstarted(this::drain);
        if (startWriter) {
            writer.start();
        }
    }

    /** Whether requests to {@code spec} are logged; ask before building a line, so a node that logs nothing pays nothing. */
    public boolean logs(DeploymentSpec spec) {
        return writer != null && settings.get().logs(spec.name());
    }

    /**
     * Logs one answered request, if its deployment is logged.
     *
     * @param spec     the version that served it, or the deployment it was for when none did
     * @param outcome  how it ended; null when it never reached a replica's router
     * @param bytesOut -1 when not known
     */
    public void record(AccessLine.Protocol protocol, String route, DeploymentSpec spec, boolean versionChosen,
            Outcome outcome, int status, long bytesIn, long bytesOut, long startedNanos) {
        if (!logs(spec)) {
            return;
        }
        RunTiming timing = outcome == null ? RunTiming.UNKNOWN : outcome.timing();
        offer(new AccessLine(clock.instant(), spec.mainName(), route, protocol, versionChosen ? spec.label() : null,
                outcome == null ? null : outcome.replicaId(), outcome == null || outcome.node() == null ? nodeId : outcome.node(),
                status, Math.max(0, bytesIn), bytesOut, timing.queueNanos(), timing.computeNanos(),
                System.nanoTime() - startedNanos));
    }

    /** Queues a line; false (and counted) when the queue is full. */
    boolean offer(AccessLine line) {
        if (pending.offer(line)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /**
     * Takes what is queued every {@link #DRAIN_MILLIS} (all of it while lines keep coming). Never
     * blocks on the queue: a writer waiting in {@code poll} is woken by every line, a futex call and a
     * write per request, which measured about half of a no-op request's throughput at 32 connections.
     */
    private void drain() {
        List<AccessLine> batch = new ArrayList<>();
        while (!closed || !pending.isEmpty()) {
            try {
                pending.drainTo(batch, 4_096);
                if (batch.isEmpty()) {
                    Thread.sleep(DRAIN_MILLIS);
                    continue;
                }
                write(batch);
            } catch (InterruptedException e) {
                closed = true;
            } catch (RuntimeException e) {
                log.warn("access log: {}", e.toString());
            } finally {
                batch.clear();
            }
        }
        files.values().forEach(OpenFile::close);
    }

    /** How long a line may wait for the writer: the queue (8,192 lines) holds 160,000 requests a second. */
    static final long DRAIN_MILLIS = 50;

    /** Writes a batch and flushes each file it touched: a line is on disk once the queue is empty. */
    void write(List<AccessLine> batch) {
        Map<String, OpenFile> touched = new HashMap<>();
        for (AccessLine line : batch) {
            OpenFile file = file(line.deployment());
            if (file == null) {
                continue;
            }
            file.write((line.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            touched.put(line.deployment(), file);
        }
        touched.values().forEach(OpenFile::flush);
    }

    private OpenFile file(String deployment) {
        OpenFile file = files.get(deployment);
        if (file != null && file.size >= maxFileBytes) {
            file.close();
            files.remove(deployment);
            try {
                Files.move(file.path, file.path.resolveSibling(file.path.getFileName() + ".1"),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                log.warn("access log: cannot rotate {}: {}", file.path, e.toString());
            }
            file = null;
        }
        if (file == null) {
            Path path = dir.resolve(deployment + ".log");
            try {
                Files.createDirectories(dir);
                OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                file = new OpenFile(path, out, Files.size(path));
                files.put(deployment, file);
            } catch (IOException e) {
                log.warn("access log: cannot open {}: {}", path, e.toString());
                return null;
            }
        }
        return file;
    }

    /** One deployment's file, with what it holds (rotation is by size). */
    private static final class OpenFile {
        final Path path;
        final OutputStream out;
        long size;

        OpenFile(Path path, OutputStream out, long size) {
            this.path = path;
            this.out = new java.io.BufferedOutputStream(out, 64 * 1024);
            this.size = size;
        }

        void write(byte[] line) {
            try {
                out.write(line);
                size += line.length;
            } catch (IOException e) {
                log.warn("access log: cannot write {}: {}", path, e.toString());
            }
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                log.warn("access log: cannot write {}: {}", path, e.toString());
            }
        }

        void close() {
            try {
                out.close();
            } catch (IOException e) {
                // nothing more to write to it
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
