package io.modelserve.e2e;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A few clients calling one route back to back until stopped; counts every answer that is not 200. */
final class LoadLoop implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> clients = new ArrayList<>();

    /** What the loop saw. */
    record Tally(int ok, List<String> failures) {
        @Override
        public String toString() {
            return ok + " ok, " + failures.size() + " failed" + (failures.isEmpty() ? "" : ": " + failures.subList(0, Math.min(5, failures.size())));
        }
    }

    static LoadLoop start(RunningHead head, String route, String body, int clients) {
        return start(() -> head.post(route, body), clients);
    }

    /** Clients each calling {@code call} back to back. */
    static LoadLoop start(java.util.concurrent.Callable<HttpResponse<String>> call, int clients) {
        return paced(call, clients, 0);
    }

    /**
     * Clients each starting a call every {@code periodMs} (or back to back when a call takes longer):
     * {@code clients * 1000 / periodMs} requests a second at most, a load of a known rate.
     */
    static LoadLoop paced(java.util.concurrent.Callable<HttpResponse<String>> call, int clients, long periodMs) {
        LoadLoop loop = new LoadLoop();
        for (int i = 0; i < clients; i++) {
            loop.clients.add(Thread.ofVirtual().start(() -> {
                long next = System.nanoTime();
                while (loop.running.get()) {
                    if (periodMs > 0) {
                        next += periodMs * 1_000_000;
                        java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
                    }
                    try {
                        HttpResponse<String> response = call.call();
                        if (response.statusCode() == 200) {
                            loop.ok.incrementAndGet();
                        } else {
                            loop.failures.add(response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        loop.failures.add(e.toString());
                    }
                }
            }));
        }
        return loop;
    }

    Tally stop() throws InterruptedException {
        running.set(false);
        for (Thread client : clients) {
            client.join(35_000);
        }
        return new Tally(ok.get(), List.copyOf(failures));
    }

    @Override
    public void close() throws InterruptedException {
        if (running.get()) {
            stop();
        }
    }
}
