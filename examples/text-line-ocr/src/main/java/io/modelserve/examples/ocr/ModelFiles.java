package io.modelserve.examples.ocr;

import java.nio.file.Path;
import java.util.List;

/** Picks a deployment's model files by name, whatever order conf.ini lists them in. */
final class ModelFiles {
    private ModelFiles() {}

    static Path ending(List<Path> modelPaths, String suffix, String deployment) {
        return modelPaths.stream()
                .filter(path -> path.getFileName().toString().endsWith(suffix))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        deployment + " needs a " + suffix + " file among its model files (model = ...), got " + modelPaths));
    }
}
