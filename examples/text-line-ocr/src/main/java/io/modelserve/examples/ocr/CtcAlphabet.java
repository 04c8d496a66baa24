package io.modelserve.examples.ocr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The characters a CTC recogniser emits, and greedy decoding of its per-step probabilities.
 *
 * <p>PaddleOCR's layout: index 0 is the CTC blank, then the keys file line by line, then a space
 * (PaddleOCR's {@code use_space_char}). So a model for {@code ppocr_keys_v1.txt} (6,623 keys) has
 * 6,625 classes.
 */
final class CtcAlphabet {
    private final List<String> symbols;

    private CtcAlphabet(List<String> symbols) {
        this.symbols = symbols;
    }

    static CtcAlphabet fromKeys(Path keys) throws IOException {
        List<String> symbols = new ArrayList<>();
        symbols.add(""); // the blank
        for (String line : Files.readAllLines(keys, StandardCharsets.UTF_8)) {
            symbols.add(line.replace("\r", ""));
        }
        symbols.add(" ");
        return new CtcAlphabet(List.copyOf(symbols));
    }

    /** Number of classes a model must emit per step: keys + blank + space. */
    int size() {
        return symbols.size();
    }

    /** Decoded text and the mean probability of its characters (1 for an empty line). */
    record Decoded(String text, double score) {}

    /**
     * Greedy CTC: the most probable class per time step, repeats collapsed, blanks dropped.
     *
     * @param probs {@code steps x size()} probabilities, row-major
     */
    Decoded decode(float[] probs, int steps) {
        int classes = size();
        if (probs.length != (long) steps * classes) {
            throw new IllegalArgumentException("expected " + steps + " x " + classes + " probabilities, got " + probs.length);
        }
        StringBuilder text = new StringBuilder();
        double sum = 0;
        int count = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++) {
            int offset = t * classes;
            int best = 0;
            float bestProb = probs[offset];
            for (int c = 1; c < classes; c++) {
                if (probs[offset + c] > bestProb) {
                    bestProb = probs[offset + c];
                    best = c;
                }
            }
            if (best != 0 && best != previous) {
                text.append(symbols.get(best));
                sum += bestProb;
                count++;
            }
            previous = best;
        }
        return new Decoded(text.toString(), count == 0 ? 1 : sum / count);
    }
}
