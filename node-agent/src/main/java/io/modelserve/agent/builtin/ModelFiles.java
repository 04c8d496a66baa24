package io.modelserve.agent.builtin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Finds a built-in backend's files among a deployment's model files, by extension or by name. */
final class ModelFiles {
    private ModelFiles() {}

    /** The one file ending in {@code extension}; zero or several is the operator's mistake, said plainly. */
    static Path single(List<Path> paths, String extension, String builtin) {
        List<Path> matching = paths.stream().filter(p -> p.getFileName().toString().endsWith(extension)).toList();
        if (matching.size() != 1) {
            throw new IllegalArgumentException(builtin + " needs exactly one " + extension + " file in `model`, got "
                    + names(paths));
        }
        return matching.getFirst();
    }

    static Path named(List<Path> paths, String fileName) {
        return paths.stream().filter(p -> p.getFileName().toString().equals(fileName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("file '" + fileName + "' is not among the model files "
                        + names(paths)));
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Engine options from a builtin's keys: {@code threads} caps ONNX Runtime's intra-op threads. */
    static Map<String, String> engineOptions(Map<String, String> options) {
        String threads = options.get("threads");
        return threads == null ? Map.of() : Map.of("intraOpNumThreads", threads.strip());
    }
}
