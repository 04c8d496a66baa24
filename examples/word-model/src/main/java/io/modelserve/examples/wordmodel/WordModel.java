package io.modelserve.examples.wordmodel;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A "model" is a text file under Model_ZOO holding one word; the answer is that word and the
 * request's text: {@code {"text":"hi"}} -> {@code {"word":"hello","text":"hi"}}. Two sections on this
 * one jar with two files answer differently, which is what {@code plugin = WordModel} is for.
 */
public class WordModel implements AlgoBackend {
    private String word = "";

    @Override
    public void init(BackendContext context) throws IOException {
        if (!context.modelPaths().isEmpty()) {
            word = read(context.modelPaths().getFirst());
        }
    }

    @Override
    public Object inference(Request request) throws InvalidRequestException {
        return answer(word, request);
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
