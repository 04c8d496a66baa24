package io.modelserve.sdk;

import java.util.List;

/**
 * A backend that embeds text. Implementing it is how a plugin declares it: its deployment is then
 * also served as OpenAI's {@code POST /v1/embeddings} (and listed by {@code GET /v1/models}) with the
 * deployment's name as {@code model}, beside its own route, which is unchanged. Backends that do not
 * implement it are never offered there, and need no change.
 */
public interface TextEmbedder extends AlgoBackend {

    /**
     * One vector per text, in the order given, all of one length. Called on the replica's worker
     * thread, like {@code inference}; the texts of several waiting requests may come in one call.
     */
    List<float[]> embed(List<String> texts) throws Exception;

    /** How many tokens {@code text} counts for, for the answer's usage; by default its words. */
    default int tokens(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }
}
