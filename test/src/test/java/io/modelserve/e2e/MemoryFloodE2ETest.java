package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Memory a client can make a node hold, against a real head in its own small JVM: 60 connections each
 * holding all but the last byte of a 16 MiB body on {@code -Xmx512m}, and a flood of 16 MiB queue
 * posts on {@code -Xmx384m}. The node stays up, refuses what is beyond its budget with 503, serves
 * small requests meanwhile, and takes big bodies again once the held ones are gone.
 */
class MemoryFloodE2ETest {
    private static final int BODY = 16 * 1024 * 1024;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Socket> held = new ArrayList<>();
    private Process head;
    private RunningHead.Workspace workspace;

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : held) {
            socket.close();
        }
        if (head != null) {
            head.destroy();
            if (!head.waitFor(30, TimeUnit.SECONDS)) {
                head.destroyForcibly();
            }
        }
    }

    @Test
    void sixtyHeldBodiesOnA512mNodeAreBoundedAndReleased() throws Exception {
        start("-Xmx512m", "");
        String before = memory();

        ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Socket socket = connect();
            held.add(socket);
            senders.add(Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(head("/echo", BODY).getBytes(StandardCharsets.ISO_8859_1));
                    byte[] piece = new byte[256 * 1024];
                    for (int sent = 0; sent < BODY - 1; sent += piece.length) {
                        out.write(piece, 0, Math.min(piece.length, BODY - 1 - sent));
                    }
                    out.flush();
                } catch (IOException refusedAndClosed) {
                    // A refused body's connection is closed by the node: the rest cannot be sent.
                }
                answers.add(statusOf(socket));
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (answers.size() < 50 && System.nanoTime() < deadline) {
            assertThat(head.isAlive()).as("the node died under held bodies").isTrue();
            Thread.sleep(100);
        }
        String whileHeld = memory();
        long refused = answers.stream().filter(s -> s == 503).count();

        assertThat(head.isAlive()).isTrue();
        assertThat(refused).as("answers so far: %s", answers).isGreaterThanOrEqualTo(50);
        assertThat(post("/echo", "{\"text\":\"small\"}").statusCode()).isEqualTo(200);
        try (Socket another = connect()) {
            another.getOutputStream().write(head("/echo", BODY).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(statusOf(another)).as("a new big body while the budget is held").isEqualTo(503);
        }

        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
        for (Thread sender : senders) {
            sender.join(60_000);
        }
        int status = 0;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            status = post("/echo", new byte[BODY], "application/octet-stream").statusCode();
            if (status == 200) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(status).as("a big body once the held ones are gone").isEqualTo(200);
        System.out.printf("memory, 60 held 16 MiB bodies on -Xmx512m: before %s; while held %s (%d of %d refused 503);"
                + " after release %s%n", before, whileHeld, refused, answers.size(), memory());
    }

    @Test
    void aFloodOfLargeQueuePostsOnA384mHeadHitsTheCapAndTheHeadServesOn() throws Exception {
        start("-Xmx384m", "queue_max_bytes = 67108864\n");
        String before = memory();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger full = new AtomicInteger();
        List<Thread> posters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            posters.add(Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<String> response = post("/-/queue/sink", new byte[BODY], "application/octet-stream");
                    if (response.statusCode() == 202) {
                        accepted.incrementAndGet();
                    } else if (response.statusCode() == 503) {
                        assertThat(response.headers().firstValue("Retry-After")).isPresent();
                        full.incrementAndGet();
                    }
                } catch (IOException | InterruptedException e) {
                    // counted as neither
                }
            }));
            if (i % 5 == 4) {
                for (Thread poster : posters) {
                    poster.join(120_000);
                }
            }
        }
        for (Thread poster : posters) {
            poster.join(120_000);
        }
        String after = memory();

        assertThat(head.isAlive()).isTrue();
        assertThat(accepted.get()).isBetween(1, 4);
        assertThat(full.get()).isGreaterThanOrEqualTo(40);
        assertThat(post("/-/queue/sink", "{\"text\":\"small\"}").statusCode()).isEqualTo(202);
        assertThat(post("/echo", "{\"text\":\"sync\"}").statusCode()).isEqualTo(200);
        System.out.printf("memory, 50 queue posts of 16 MiB on -Xmx384m (queue_max_bytes 64 MiB): before %s;"
                + " after %s; %d accepted, %d refused 503%n", before, after, accepted.get(), full.get());
    }

    private void start(String heap, String extra) throws Exception {
        Path dir = RunningHead.scratchDir(MemoryFloodE2ETest.class);
        workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("Noop", "Sink");
        Files.writeString(dir.resolve("conf.ini"), workspace.header().replace("max_body_bytes = 65536", "max_body_bytes = 16777216")
                + extra + """

                [algopkg.Noop]
                backend = io.modelserve.examples.noop.Noop
                cpu_cost = 0.1
                route = echo
                method = POST

                [algopkg.Sink]
                backend = io.modelserve.examples.noop.Noop
                cpu_cost = 0.1
                route = sink
                method = POST
                replicas = 0
                """);
        ProcessBuilder start = Cli.command(dir, "start", "conf.ini", "--bind", workspace.bind())
                .redirectOutput(dir.resolve("head.out").toFile());
        start.environment().put("MODELSERVE_JAVA_OPTS", heap);
        head = start.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            assertThat(head.isAlive()).as("head exited: %s", Files.readString(dir.resolve("head.out"))).isTrue();
            try {
                if (post("/echo", "{}").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("head not serving within 180 s").isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** The head's heap in use (from its metrics) and resident set size (from /proc). */
    private String memory() throws Exception {
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(uri("/-/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        double heap = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        String rss = "?";
        Path status = Path.of("/proc/" + head.pid() + "/status");
        if (Files.exists(status)) {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = line.substring(6).trim();
                }
            }
        }
        return String.format("heap used %.0f MiB, RSS %s", heap / (1024 * 1024), rss);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(workspace.bind(), workspace.port()), 10_000);
        socket.setSoTimeout(120_000);
        return socket;
    }

    private static String head(String path, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length
                + "\r\n\r\n";
    }

    /** The status of the response on {@code socket}, or -1 if the connection ended without one. */
    private static int statusOf(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private HttpResponse<String> post(String path, byte[] body, String type) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + workspace.bind() + ":" + workspace.port() + path);
    }
}
