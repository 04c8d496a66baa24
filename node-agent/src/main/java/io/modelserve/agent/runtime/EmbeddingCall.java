package io.modelserve.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.TextEmbedder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request to embed texts ({@code params.input}: a list of strings), which a replica answers with
 * its backend's {@link TextEmbedder#embed} instead of {@code inference}: {@code {"vectors": [...],
 * "tokens": [...]}}, or {@code {"not_embedder": "<class>"}} when its backend is not one. It travels
 * as an ordinary request (queued, batched, forwarded), told apart by its content type. An empty
 * input is a probe: answered without calling the plugin, it tells whether the deployment embeds.
 */
public final class EmbeddingCall {
    public static final String TYPE = "application/x-modelserve-embeddings";
    public static final String NOT_EMBEDDER = "not_embedder";

    private EmbeddingCall() {}

    public static boolean is(Request request) {
        return TYPE.equals(request.contentType());
    }

    public static JsonRequest request(List<String> texts) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        texts.forEach(params.putArray("input")::add);
        return new JsonRequest(params, new byte[0], TYPE);
    }

    static List<String> texts(Request request) {
        List<String> texts = new ArrayList<>();
        for (JsonNode text : request.params().path("input")) {
            texts.add(text.asText());
        }
        return texts;
    }

    /** All texts of {@code jobs} in one {@code embed} call; each job gets its own vectors. */
    static void run(TextEmbedder embedder, List<Job> jobs) throws Exception {
        List<String> all = new ArrayList<>();
        List<List<String>> perJob = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            List<String> texts = texts(job.request());
            perJob.add(texts);
            all.addAll(texts);
        }
        List<float[]> vectors = all.isEmpty() ? List.of() : embedder.embed(all);
        if (vectors == null || vectors.size() != all.size()) {
            throw new IllegalStateException("embed returned " + (vectors == null ? "null" : vectors.size() + " vectors")
                    + " for " + all.size() + " texts");
        }
        int next = 0;
        for (int i = 0; i < jobs.size(); i++) {
            List<String> texts = perJob.get(i);
            List<Integer> tokens = new ArrayList<>(texts.size());
            for (String text : texts) {
                tokens.add(embedder.tokens(text));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("vectors", List.copyOf(vectors.subList(next, next + texts.size())));
            answer.put("tokens", tokens);
            next += texts.size();
            jobs.get(i).result().complete(answer);
        }
    }

    static Map<String, Object> notEmbedder(Object backend) {
        return Map.of(NOT_EMBEDDER, backend.getClass().getName());
    }
}
