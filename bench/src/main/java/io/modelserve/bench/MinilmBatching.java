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
 * The MiniLM route vs. the same model code (the TextEmbedding plugin) called in a tight loop in this
 * JVM, under the same ONNX Runtime thread setting: at 1 connection against the raw engine one text at
 * a time, at {@code connections} (batched) against the raw engine's best batch (2..32). Same text
 * everywhere. Side by side in one run: the head is started first and stays up (idle while the raw
 * loop runs), and each round measures raw one, served 1, raw batches, served N, so the ratios of a
 * round share the machine's load of that moment; {@code rounds} rounds, each ratio reported with its
 * median. With {@code wrk} on the path ({@code /usr/bin/wrk}) the served figures are also taken with
 * wrk (an outside load generator) against the same {@code bin/modelserve start} head.
 * Run with {@code bench/minilm-batching}.
 *
 * <p>Properties: {@code connections} (32), {@code seconds} (10), {@code warmup} (5), {@code rounds}
 * (3), {@code max_batch_size} (32) and {@code batch_wait_ms} (2) of the served deployment,
 * {@code threads} (OnnxRuntime intra-op threads, raw loop and deployment alike; default:
 * OnnxRuntime's, one per core), {@code wrk} (path of wrk; runs it when executable).
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
        int rounds = Integer.getInteger("rounds", 3);
        int maxBatch = Integer.getInteger("max_batch_size", 32);
        int batchWait = Integer.getInteger("batch_wait_ms", 2);
        String threads = System.getProperty("threads");
        boolean withWrk = Wrk.available();
        Map<String, String> config = threads == null ? Map.of() : Map.of("threads", threads);
        int tokens;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(TOKENIZER)) {
            tokens = tokenizer.encode(TEXT).getIds().length;
        }
        System.out.printf("MiniLM (all-MiniLM-L6-v2-q, ONNX Runtime via DJL): \"%s\" (%d tokens); %.0f s per measurement after %.0f s warm-up;"
                + " %d rounds; %d cores; OnnxRuntime intra-op threads: %s; load average at start: %s; wrk: %s%n",
                TEXT, tokens, seconds, warmup, rounds, Runtime.getRuntime().availableProcessors(), threads == null ? "default" : threads,
                loadAverage(), withWrk ? Wrk.BINARY : "not found");

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
        Table table = new Table("round", "how", "items/s", "p50 ms", "p99 ms");
        List<Double> oneRatios = new ArrayList<>();
        List<Double> batchRatios = new ArrayList<>();
        List<Double> wrkOneRatios = new ArrayList<>();
        List<Double> wrkBatchRatios = new ArrayList<>();
        long errors = 0;
        TextEmbedding backend = new TextEmbedding();
        try (Servers.Running head = Servers.head("minilm", List.of("TextEmbedding"), deployment)) {
            backend.init(new BenchContext("TextEmbedding", List.of(MODEL, TOKENIZER), config));
            Request request = new TextRequest(new ObjectMapper().readTree(PAYLOAD));
            LoadGenerator load = new LoadGenerator(Servers.HOST, head.port(), "/embed", "application/json", PAYLOAD);
            for (int round = 1; round <= rounds; round++) {
                String r = round + " (load " + loadAverage() + ")";
                double rawOne = rawLoop(backend, request, 1, warmup, seconds);
                table.row(r, "raw engine, one at a time", Table.f0(rawOne), "-", "-");
                LoadResult servedOne = load.run("modelserve", 1, warmup, seconds);
                table.row(r, "modelserve /embed, 1 connection", Table.f0(servedOne.throughput()), Table.f2(servedOne.p50()), Table.f2(servedOne.p99()));
                double rawBest = 0;
                int bestBatch = 1;
                StringBuilder batches = new StringBuilder();
                for (int batch : BATCHES) {
                    double rate = rawLoop(backend, request, batch, warmup / 2, seconds / 2);
                    batches.append(batches.isEmpty() ? "" : " / ").append(Table.f0(rate));
                    if (rate > rawBest) {
                        rawBest = rate;
                        bestBatch = batch;
                    }
                }
                table.row(r, "raw engine, batch 2 / 4 / 8 / 16 / 32", batches.toString(), "-", "-");
                LoadResult served = load.run("modelserve", connections, warmup, seconds);
                table.row(r, "modelserve /embed, " + connections + " connections, max_batch_size " + maxBatch + ", batch_wait_ms " + batchWait,
                        Table.f0(served.throughput()), Table.f2(served.p50()), Table.f2(served.p99()));
                errors += served.errors() + servedOne.errors();
                oneRatios.add(servedOne.throughput() / rawOne);
                batchRatios.add(served.throughput() / rawBest);
                table.row(r, "ratios: 1 conn / raw one; " + connections + " conn / raw best (batch " + bestBatch + ")",
                        Table.ratio(servedOne.throughput() / rawOne) + "; " + Table.ratio(served.throughput() / rawBest), "-", "-");
                if (withWrk) {
                    Wrk.Result wrkOne = Wrk.post(Servers.HOST, head.port(), "/embed", "application/json", PAYLOAD, 1, seconds);
                    Wrk.Result wrkMany = Wrk.post(Servers.HOST, head.port(), "/embed", "application/json", PAYLOAD, connections, seconds);
                    double rawOneAgain = rawLoop(backend, request, 1, warmup / 2, seconds / 2);
                    double rawBestAgain = rawLoop(backend, request, bestBatch, warmup / 2, seconds / 2);
                    table.row(r, "wrk: 1 connection", Table.f0(wrkOne.throughput()), Table.f2(wrkOne.p50()), Table.f2(wrkOne.p99()));
                    table.row(r, "wrk: " + connections + " connections", Table.f0(wrkMany.throughput()), Table.f2(wrkMany.p50()), Table.f2(wrkMany.p99()));
                    table.row(r, "raw again (one; batch " + bestBatch + ")", Table.f0(rawOneAgain) + "; " + Table.f0(rawBestAgain), "-", "-");
                    wrkOneRatios.add(wrkOne.throughput() / rawOneAgain);
                    wrkBatchRatios.add(wrkMany.throughput() / rawBestAgain);
                    errors += wrkOne.errors() + wrkMany.errors();
                }
            }
        } finally {
            backend.close();
        }
        System.out.println();
        System.out.print(table);
        if (errors > 0) {
            System.out.println("errors (non-200 answers): " + errors);
        }
        System.out.println();
        Table verdicts = new Table("measure (median of rounds; all rounds)", "value", "target", "verdict");
        verdict(verdicts, "modelserve 1 connection / raw one at a time", oneRatios);
        verdict(verdicts, "modelserve " + connections + " connections / raw best batch", batchRatios);
        if (withWrk) {
            verdict(verdicts, "wrk: 1 connection / raw one at a time", wrkOneRatios);
            verdict(verdicts, "wrk: " + connections + " connections / raw best batch", wrkBatchRatios);
        }
        System.out.print(verdicts);
        System.out.println("load average at end: " + loadAverage());
    }

    private static void verdict(Table table, String measure, List<Double> ratios) {
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        StringBuilder all = new StringBuilder();
        ratios.forEach(x -> all.append(all.isEmpty() ? "" : ", ").append(Table.ratio(x)));
        table.row(measure + " (" + all + ")", Table.ratio(median), ">= 0.90x", Table.verdict(median >= 0.9));
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
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
