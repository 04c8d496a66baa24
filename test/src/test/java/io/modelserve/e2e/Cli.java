package io.modelserve.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/modelserve} as a user would, in a given working directory. */
final class Cli {
    static final Path ROOT = Path.of(System.getProperty("modelserve.root", "..")).toAbsolutePath().normalize();
    static final Path BIN = ROOT.resolve("bin/modelserve");

    /** A finished CLI run. */
    record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    private Cli() {}

    static ProcessBuilder command(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(BIN.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    }

    static Result run(Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return run(command(workDir, args), timeoutSeconds);
    }

    /** Runs a prepared command (e.g. with MODELSERVE_TOKEN in its environment). */
    static Result run(ProcessBuilder command, long timeoutSeconds) throws IOException, InterruptedException {
        Process process = command.start();
        // Read while it runs, so a chatty command cannot block on a full pipe.
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The process died; what was read is what there is.
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError(String.join(" ", command.command()) + " did not finish in " + timeoutSeconds + " s:\n" + output);
        }
        reader.join(5_000);
        return new Result(process.exitValue(), output.toString());
    }
}
