package io.modelserve.examples.algoexample;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The seed template of an algorithm package: copy this module to start a new one.
 *
 * <p>It loads every file of {@link BackendContext#modelPaths()}: {@code .txt} files are read as a
 * sentiment lexicon ({@code word<TAB>weight} lines, {@code #} comments), any other file is only
 * checked to be readable. Each answer echoes what a plugin sees, which makes this backend the
 * cluster's test probe: {@code replica}, {@code initCount} and {@code reconfigureCount} show whether
 * a config change reached a running replica in place or restarted it.
 *
 * <p>For trying the cluster's error handling by hand (and its tests): a request with
 * {@code "raise": "message"} fails with that message (HTTP 500), one with {@code "sleep_ms": N}
 * takes N ms (try it against {@code timeout_ms}), and {@code config.fail_init = message} makes
 * {@code init} throw (the replica shows FAILED with the message in {@code modelserve status}).
 */
public class AlgoExample implements AlgoBackend {

    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}']+");

    private final Map<String, Double> lexicon = new HashMap<>();
    private final List<String> models = new ArrayList<>();
    private Map<String, String> config = Map.of();
    private String replica = "";
    private String device = "cpu";
    private int initCount;
    private int reconfigureCount;

    @Override
    public void init(BackendContext context) throws IOException {
        String failInit = context.config().get("fail_init");
        if (failInit != null && !failInit.isBlank()) {
            throw new IllegalStateException(failInit);
        }
        for (Path model : context.modelPaths()) {
            String name = model.getFileName().toString();
            if (name.endsWith(".txt")) {
                readLexicon(model);
            } else if (!Files.isReadable(model)) {
                throw new IOException("model file " + model + " is not readable");
            }
            models.add(name);
        }
        config = new TreeMap<>(context.config());
        replica = context.replicaId();
        device = context.device().toString();
        initCount++;
    }

    private void readLexicon(Path file) throws IOException {
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] fields = trimmed.split("\t");
            try {
                lexicon.put(fields[0].strip().toLowerCase(Locale.ROOT), Double.parseDouble(fields[1].strip()));
            } catch (RuntimeException e) {
                throw new IOException(file.getFileName() + ":" + lineNumber + ": expected word<TAB>weight, got '" + line + "'");
            }
        }
    }

    @Override
    public Object inference(Request request) throws InterruptedException {
        JsonNode params = request.params();
        if (params.hasNonNull("raise")) {
            throw new IllegalArgumentException(params.get("raise").asText());
        }
        long sleepMs = params.path("sleep_ms").asLong(0);
        if (sleepMs > 0) {
            Thread.sleep(Math.min(sleepMs, 60_000));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("params", params);
        JsonNode text = params.get("text");
        if (text != null && text.isTextual()) {
            result.put("score", score(text.asText()));
        }
        result.put("models", List.copyOf(models));
        result.put("config", config);
        result.put("replica", replica);
        result.put("device", device);
        result.put("initCount", initCount);
        result.put("reconfigureCount", reconfigureCount);
        return result;
    }

    /** The sum of the lexicon weights of the words of {@code text}; unknown words weigh 0. */
    double score(String text) {
        double sum = 0;
        for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            sum += lexicon.getOrDefault(word, 0.0);
        }
        return sum;
    }

    @Override
    public void reconfigure(Map<String, String> newConfig) {
        config = new TreeMap<>(newConfig);
        reconfigureCount++;
    }
}
