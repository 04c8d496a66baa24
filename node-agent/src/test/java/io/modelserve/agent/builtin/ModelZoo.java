package io.modelserve.agent.builtin;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's Model_ZOO, which the build fills (module models, examples/text-embedding). */
final class ModelZoo {
    static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    static final String MINILM = "all-minilm-l6-v2-q.onnx";
    static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private ModelZoo() {}

    /** The file, or the test is skipped saying which build step produces it. */
    static Path require(String name) {
        Path file = Path.of(System.getProperty("modelserve.root", ".."), "Model_ZOO", name).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(file), file + " is missing: build module `models` (PaddleOCR) or"
                + " examples/text-embedding (MiniLM) first, e.g. bin/mvn -pl models,examples/text-embedding package");
        return file;
    }
}
