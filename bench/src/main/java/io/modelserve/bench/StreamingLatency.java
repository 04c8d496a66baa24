package io.modelserve.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * First-chunk latency of a streamed answer vs. the whole answer: the streaming example plugin
 * (algopkg/Tokens.jar, examples/streaming) emits {@code tokens} tokens, one every {@code delay_ms},
 * through a head started by {@code bin/modelserve start}; each request on its own connection, newline-
 * delimited JSON, timed when the first chunk's line and the final {@code done} line arrive. With
 * {@code delay_ms = 0} the first-chunk time is what the platform costs before a backend's first token.
 * Run with {@code bench/streaming-latency}.
 *
 * <p>Properties: {@code requests} (200 per setting), {@code warmup} (50), {@code tokens} (20),
 * {@code delay_ms} (10).
 */
public final class StreamingLatency {
    private StreamingLatency() {}

    record Timing(double firstMillis, double wholeMillis) {}

    public static void main(String[] args) throws Exception {
        int requests = Integer.getInteger("requests", 200);
        int warmup = Integer.getInteger("warmup", 50);
        int tokens = Integer.getInteger("tokens", 20);
        int delay = Integer.getInteger("delay_ms", 10);
        String deployment = """
                [algopkg.Tokens]
                backend = io.modelserve.examples.streaming.Tokens
                route = tokens
                max_queued = 1000
                """;
        System.out.printf("Streaming: %d tokens per answer; %d requests per setting after %d warm-up; one connection at a time; %d cores%n",
                tokens, requests, warmup, Runtime.getRuntime().availableProcessors());
        Table table = new Table("setting", "first chunk p50 ms", "p99 ms", "whole answer p50 ms", "p99 ms");
        try (Servers.Running head = Servers.head("streaming", List.of("Tokens"), deployment)) {
            for (int delayMs : new int[] {0, delay}) {
                String body = "{\"n\":" + tokens + ",\"delay_ms\":" + delayMs + "}";
                for (int i = 0; i < warmup; i++) {
                    time(head.port(), body);
                }
                List<Double> first = new ArrayList<>();
                List<Double> whole = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    Timing timing = time(head.port(), body);
                    first.add(timing.firstMillis());
                    whole.add(timing.wholeMillis());
                }
                table.row(tokens + " tokens, delay_ms " + delayMs, Table.f2(percentile(first, 50)), Table.f2(percentile(first, 99)),
                        Table.f2(percentile(whole, 50)), Table.f2(percentile(whole, 99)));
            }
        }
        System.out.println();
        System.out.print(table);
    }

    /** One request on a fresh connection: when its first chunk and its end arrived. */
    static Timing time(int port, String body) throws Exception {
        long start = System.nanoTime();
        long first = 0;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(Servers.HOST, port), 5_000);
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /tokens HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (first == 0 && line.contains("\"chunk\"")) {
                    first = System.nanoTime();
                }
                if (line.contains("\"done\":true")) {
                    long end = System.nanoTime();
                    return new Timing((first - start) / 1e6, (end - start) / 1e6);
                }
                if (line.contains("\"status\":0")) {
                    throw new IllegalStateException("the stream failed: " + line);
                }
            }
        }
        throw new IllegalStateException("the stream ended without its done line");
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
