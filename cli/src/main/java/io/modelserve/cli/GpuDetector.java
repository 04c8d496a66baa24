package io.modelserve.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Counts this machine's GPUs with {@code nvidia-smi}; 0 when it is absent or fails. */
final class GpuDetector {
    private GpuDetector() {}

    static int count() {
        try {
            Process process = new ProcessBuilder("nvidia-smi", "--query-gpu=index", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return 0;
            }
            if (process.exitValue() != 0) {
                return 0;
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return (int) out.lines().filter(line -> line.strip().matches("\\d+")).count();
        } catch (IOException e) {
            return 0; // no nvidia-smi: a CPU-only node
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
