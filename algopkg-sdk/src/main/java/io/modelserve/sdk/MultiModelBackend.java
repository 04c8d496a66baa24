package io.modelserve.sdk;

import java.nio.file.Path;

/**
 * A backend that serves many models from one replica (a section with {@code models =} and
 * {@code max_models_per_replica =}): the replica loads a model on its first request, keeps up to
 * {@code max_models_per_replica} of them, and unloads the least recently used to make room. Every
 * request names its model ({@link Request#model()}).
 *
 * <p>{@code load} and {@code unload} are called like every other method: never overlapping each
 * other or {@code inference}, so no thread-safety is needed. {@code init} runs first, with the
 * section's {@code model =} files (shared by every model, e.g. a tokenizer), if any. A plugin that
 * does not implement this interface is untouched by multiplexing and cannot be used with {@code models =}.
 */
public interface MultiModelBackend extends AlgoBackend {

    /**
     * Makes {@code model} servable. If it throws, the requests that needed it fail with the message
     * and the next request for it tries again.
     *
     * @param model the model's name as requests give it: its file name under Model_ZOO without the extension
     * @param path  the model's file, verified and cached on this node
     */
    void load(String model, Path path) throws Exception;

    /** Releases {@code model}; it was loaded. A throw is logged and the model counts as unloaded. */
    void unload(String model) throws Exception;
}
