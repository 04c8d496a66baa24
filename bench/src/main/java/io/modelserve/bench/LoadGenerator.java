package io.modelserve.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code connections} threads, each with its own keep-alive connection, each sending
 * the next request as soon as the previous one is answered, for a fixed time after a warm-up. Every
 * measurement of every benchmark goes through this one class, with the same payload per comparison.
 */
final class LoadGenerator {
    private final InetSocketAddress address;
    private final byte[] request;

    LoadGenerator(String host, int port, String path, String contentType, byte[] body) {
        this.address = new InetSocketAddress(host, port);
        this.request = HttpConnection.post(host + ":" + port, path, contentType, body);
    }

    LoadResult run(String name, int connections, double warmupSeconds, double seconds) throws InterruptedException {
        long measureFrom = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        AtomicLong errors = new AtomicLong();
        List<Recorder> recorders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Recorder recorder = new Recorder();
            recorders.add(recorder);
            threads.add(Thread.ofPlatform().name("load-" + i).start(() -> loop(recorder, measureFrom, end, errors)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = recorders.stream().map(Recorder::values).flatMapToLong(Arrays::stream).toArray();
        return LoadResult.of(name, connections, all, errors.get(), seconds);
    }

    private void loop(Recorder recorder, long measureFrom, long end, AtomicLong errors) {
        try (HttpConnection connection = new HttpConnection(address, request)) {
            for (long sent = System.nanoTime(); sent < end; sent = System.nanoTime()) {
                int status;
                try {
                    status = connection.exchange();
                } catch (Exception e) {
                    connection.close();
                    status = -1;
                }
                long answered = System.nanoTime();
                if (sent >= measureFrom && answered <= end) {
                    if (status == 200) {
                        recorder.add(answered - sent);
                    } else {
                        errors.incrementAndGet();
                    }
                }
            }
        }
    }

    /** A growing array of latencies, one per thread: nothing shared on the hot path. */
    private static final class Recorder {
        private long[] values = new long[1 << 14];
        private int size;

        void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        long[] values() {
            return Arrays.copyOf(values, size);
        }
    }
}
