package io.modelserve.agent.isolation;

import io.modelserve.cluster.Artifact;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Python package's virtual environment: {@code python -m venv --system-site-packages}, then its
 * {@code requirements.txt} installed offline from the wheelhouse. It is named by what decides its
 * contents — the interpreter, the requirements, the wheels' names and digests — so it is created once
 * per content and reused by every replica (and by {@code modelserve check}) that needs the same.
 *
 * <p>Environments see the interpreter's own site-packages: what the package pins is installed into
 * its environment and wins; a requirement the wheelhouse has no wheel for but the interpreter already
 * has (Debian's {@code python3-numpy}) is taken from the interpreter.
 *
 * @param interpreter  the resolved interpreter ({@link #interpreter(String)})
 * @param requirements the package's requirements.txt
 * @param wheelhouse   the folder pip finds wheels in
 * @param wheels       the wheelhouse's files, named {@code wheelhouse/<file>}, as the head ships them
 */
public record PythonEnvironment(String interpreter, Path requirements, Path wheelhouse, List<Artifact> wheels) {
    private static final long VENV_TIMEOUT_S = 120;
    private static final long PIP_TIMEOUT_S = 600;

    public PythonEnvironment {
        wheels = List.copyOf(wheels);
    }

    /**
     * The environment's python, creating the environment first unless it is ready under
     * {@code runtime}; the steps' output is appended to {@code log}, and {@code progress} hears
     * before a (slow) first installation. Fails with pip's errors.
     */
    public Path python(PythonRuntime runtime, Path log, Consumer<String> progress) throws IOException {
        StringBuilder identity = new StringBuilder(Path.of(interpreter).toAbsolutePath().normalize().toString()).append('\n')
                .append(Files.readString(requirements, StandardCharsets.UTF_8)).append('\n');
        wheels.forEach(a -> identity.append(a.name()).append('=').append(a.sha256()).append('\n'));
        Path venv = runtime.environments().resolve(PythonRuntime.sha256(identity.toString()).substring(0, 24));
        runtime.build(venv, dir -> {
            progress.accept("installing requirements.txt into " + dir + " (first time for this content)");
            run(log, "creating its virtual environment", VENV_TIMEOUT_S, interpreter, "-m", "venv", "--system-site-packages",
                    dir.toString());
            run(log, "installing its requirements.txt", PIP_TIMEOUT_S, dir.resolve("bin/python").toString(), "-m", "pip",
                    "install", "--no-index", "--find-links", wheelhouse.toString(),
                    "--disable-pip-version-check", "--no-input", "--no-cache-dir", "-r", requirements.toString());
        });
        return venv.resolve("bin/python");
    }

    /** The python of the section or [MODEL SERVE] (a path, or a name on PATH), else python3 on PATH; its absence is said plainly. */
    public static String interpreter(String named) {
        String name = named == null || named.isBlank() ? "python3" : named.strip();
        if (name.contains("/")) {
            if (!Files.isExecutable(Path.of(name))) {
                throw new IllegalStateException("Python interpreter " + name + " not found or not executable on this "
                        + "node; set python = /path/to/python3 in the section or in [MODEL SERVE]");
            }
            return name;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException("Python interpreter " + name + " not found on PATH of this node; install "
                + "python3 or set python = /path/to/python3 in the section or in [MODEL SERVE]");
    }

    /**
     * What every Python child and step runs with: no inherited Python paths or environment (they would
     * mix another installation in), bytecode kept out of the shared package folder, pip never online.
     */
    public static void clean(Map<String, String> environment) {
        environment.remove("PYTHONPATH");
        environment.remove("PYTHONHOME");
        environment.remove("VIRTUAL_ENV");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.put("PYTHONUNBUFFERED", "1");
        environment.put("PIP_NO_INDEX", "1");
    }

    /** Runs a step of preparing the environment, its output appended to {@code log}; fails with its errors. */
    private static void run(Path log, String step, long timeoutS, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(log.getParent(), ".python-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            clean(builder.environment());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException(step + " failed: cannot run " + command[0] + ": " + e.getMessage(), e);
            }
            boolean done = process.waitFor(timeoutS, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (!done) {
                throw new IllegalStateException(step + " took longer than " + timeoutS + " s (killed)");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(step + " failed (exit code " + process.exitValue() + "): " + errors(text));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** pip's ERROR lines, else the last lines: what the operator must read. */
    private static String errors(String output) {
        List<String> lines = output.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> errors = new ArrayList<>(lines.stream().filter(l -> l.startsWith("ERROR") || l.startsWith("Error")).toList());
        List<String> shown = errors.isEmpty() ? lines.subList(Math.max(0, lines.size() - 4), lines.size()) : errors;
        String text = String.join(" | ", shown);
        return text.length() > 1_000 ? text.substring(0, 1_000) + "..." : text;
    }
}
