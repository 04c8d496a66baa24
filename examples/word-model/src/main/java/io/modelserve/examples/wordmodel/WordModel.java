package io.modelserve.examples.wordmodel;

import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.MultiModelBackend;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A "model" is a text file under Model_ZOO holding one word; the answer is that word and the
 * request's text: {@code {"text":"hi"}} -> {@code {"word":"hello","text":"hi"}}. Two sections on this
 * one jar with two files answer differently, which is what {@code plugin = WordModel} is for.
 *
 * <p>As a {@link MultiModelBackend} (a section with {@code models = words/*.txt}) it keeps the words of
 * the models the replica loaded and answers with the one the request names; {@code loads} counts
 * how many times this replica loaded that model, so bounded loading shows in the answers.
 */
public class WordModel implements MultiModelBackend {
    private String word = "";
    private final Map<String, String> loaded = new HashMap<>();
    private final Map<String, Integer> loads = new HashMap<>();

    @Override
    public void init(BackendContext context) throws IOException {
        if (!context.modelPaths().isEmpty()) {
            word = read(context.modelPaths().getFirst());
        }
    }

    @Override
    public Object inference(Request request) throws InvalidRequestException {
        if (request.model().isEmpty()) {
            return answer(word, request);
        }
        String modelWord = loaded.get(request.model());
        if (modelWord == null) {
            // The platform loads a model before its requests; this would be a bug worth seeing.
            throw new IllegalStateException("model " + request.model() + " is not loaded");
        }
        Map<String, Object> result = answer(modelWord, request);
        result.put("model", request.model());
        result.put("loads", loads.get(request.model()));
        return result;
    }

    @Override
    public void load(String model, Path path) throws IOException {
        loaded.put(model, read(path));
        loads.merge(model, 1, Integer::sum);
    }

    @Override
    public void unload(String model) {
        loaded.remove(model);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    static Map<String, Object> answer(String word, Request request) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("word", word);
        result.put("text", request.params().path("text").asText(""));
        return result;
    }
}
