package io.modelserve.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.examples.textembedding.TextEmbedding;
import io.modelserve.sdk.Request;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The MiniLM route with dynamic batching vs. the same model code (the TextEmbedding plugin) called in a
 * tight loop in this JVM, one text at a time and in batches of 2..32. Same text everywhere; the served
 * side is driven by the same load generator as every other benchmark. Run with {@code bench/minilm-batching}.
 *
 * <p>Properties: {@code connections} (32), {@code seconds} (10), {@code warmup} (5),
 * {@code max_batch_size} (16: with 32 connections one batch fills while the other runs) and {@code batch_wait_ms} (2) of the served deployment, {@code threads}
 * (OnnxRuntime intra-op threads, raw loop and deployment alike; default: OnnxRuntime's, one per core).
 */
public final class MinilmBatching {
    static final String TEXT = "The quick brown fox jumps over the lazy dog near the river bank.";
    static final byte[] PAYLOAD = ("{\"text\":\"" + TEXT + "\"}").getBytes(StandardCharsets.UTF_8);
    static final Path MODEL = Servers.ROOT.resolve("Model_ZOO/all-minilm-l6-v2-q.onnx");
    static final Path TOKENIZER = Servers.ROOT.resolve("Model_ZOO/all-minilm-l6-v2-q-tokenizer.json");
    static final int[] BATCHES = {2, 4, 8, 16, 32};

    private MinilmBatching() {}

    record TextRequest(JsonNode params) implements Request {
        @Override
        public byte[] body() {
            return PAYLOAD;
        }

        @Override
        public String contentType() {
            return "application/json";
        }
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.getInteger("connections", 32);
        double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "5"));
        int maxBatch = Integer.getInteger("max_batch_size", 16);
        int batchWait = Integer.getInteger("batch_wait_ms", 2);
        String threads = System.getProperty("threads");
        Map<String, String> config = threads == null ? Map.of() : Map.of("threads", threads);
        int tokens;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(TOKENIZER)) {
            tokens = tokenizer.encode(TEXT).getIds().length;
        }
        System.out.printf("MiniLM (all-MiniLM-L6-v2-q, ONNX Runtime via DJL): \"%s\" (%d tokens); %.0f s per measurement after %.0f s warm-up;"
                + " %d cores; OnnxRuntime intra-op threads: %s%n",
                TEXT, tokens, seconds, warmup, Runtime.getRuntime().availableProcessors(), threads == null ? "default" : threads);

        Table table = new Table("how", "items/s", "p50 ms", "p99 ms");
        double rawOne;
        double rawBest = 0;
        int bestBatch = 1;
        TextEmbedding backend = new TextEmbedding();
        try {
            backend.init(new BenchContext("TextEmbedding", List.of(MODEL, TOKENIZER), config));
            Request request = new TextRequest(new ObjectMapper().readTree(PAYLOAD));
            rawOne = rawLoop(backend, request, 1, warmup, seconds);
            table.row("raw engine, one at a time (tight loop, 1 thread)", Table.f0(rawOne), "-", "-");
            for (int batch : BATCHES) {
                double rate = rawLoop(backend, request, batch, warmup / 2, seconds / 2);
                table.row("raw engine, batch " + batch, Table.f0(rate), "-", "-");
                if (rate > rawBest) {
                    rawBest = rate;
                    bestBatch = batch;
                }
            }
        } finally {
            backend.close();
        }

        String deployment = """
                [algopkg.TextEmbedding]
                backend = io.modelserve.examples.textembedding.TextEmbedding
                model = all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json
                route = embed
                method = POST
                max_batch_size = %d
                batch_wait_ms = %d
                max_queued = 1000
                %s
                """.formatted(maxBatch, batchWait, threads == null ? "" : "config.threads = " + threads);
        LoadResult servedOne;
        LoadResult served;
        try (Servers.Running head = Servers.head("minilm", List.of("TextEmbedding"), deployment)) {
            LoadGenerator load = new LoadGenerator(Servers.HOST, head.port(), "/embed", "application/json", PAYLOAD);
            servedOne = load.run("modelserve", 1, warmup, seconds);
            served = load.run("modelserve", connections, warmup, seconds);
        }
        table.row("modelserve /embed, 1 connection", Table.f0(servedOne.throughput()), Table.f2(servedOne.p50()), Table.f2(servedOne.p99()));
        table.row("modelserve /embed, " + connections + " connections, max_batch_size " + maxBatch + ", batch_wait_ms " + batchWait,
                Table.f0(served.throughput()), Table.f2(served.p50()), Table.f2(served.p99()));
        System.out.println();
        System.out.print(table);
        if (served.errors() + servedOne.errors() > 0) {
            System.out.println("errors (non-200 answers): " + (served.errors() + servedOne.errors()));
        }

        double vsOne = served.throughput() / rawOne;
        double vsBest = served.throughput() / rawBest;
        System.out.println();
        System.out.print(new Table("measure", "value", "target", "verdict")
                .row("modelserve batched / raw one at a time", Table.ratio(vsOne), ">= 1.50x", Table.verdict(vsOne >= 1.5))
                .row("modelserve batched / raw best batch (" + bestBatch + ")", Table.ratio(vsBest), ">= 0.90x", Table.verdict(vsBest >= 0.9))
                .row("modelserve 1 connection / raw one at a time", Table.ratio(servedOne.throughput() / rawOne), "-", "-"));
    }

    /** Items per second of {@code backend} called back to back with batches of {@code batch} copies of {@code request}. */
    private static double rawLoop(TextEmbedding backend, Request request, int batch, double warmup, double seconds) throws Exception {
        List<Request> requests = new ArrayList<>(Collections.nCopies(batch, request));
        long measureFrom = System.nanoTime() + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long items = 0;
        long started = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (started == 0 && now >= measureFrom) {
                started = now;
            }
            if (batch == 1) {
                backend.inference(request);
            } else {
                backend.inferenceBatch(requests);
            }
            if (started != 0) {
                items += batch;
            }
        }
        return items / ((System.nanoTime() - started) / 1e9);
    }
}
