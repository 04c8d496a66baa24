package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.agent.isolation.PythonEnvironment;
import io.modelserve.agent.isolation.PythonRuntime;
import io.modelserve.cluster.Artifact;
import io.modelserve.controller.config.FileDigests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code modelserve check algopkg/<Name>} for a Python package, as the original project's
 * {@code algopkg_test.py} did: imports {@code backend.py} with the interpreter, constructs the class
 * with a {@code model_path} of the given models, sends one request, offline. It runs the module the
 * nodes run ({@code modelserve_runtime.py}), in the environment a replica gets: the same
 * {@link PythonEnvironment} (its {@code requirements.txt} installed offline from {@code wheelhouse/}
 * beside {@code algopkg/}, once per content, under {@code runtimeRoot}), so the answer is the one the
 * route would give.
 *
 * @param dir     the package folder, holding backend.py
 * @param backend the class conf.ini names, or null for the one class of backend.py that can serve
 * @param python  the interpreter, a path or a name on PATH; null: python3 on PATH
 * @param runtimeRoot where environments are kept between checks
 */
record PythonCheck(Path dir, String backend, List<Path> models, String params, Map<String, String> config, String python,
        Duration timeout, Path runtimeRoot) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN_CHARS = 600;

    static boolean isPackage(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("backend.py"));
    }

    void run(Consumer<PluginCheck.Finding> out) throws IOException, InterruptedException {
        Path folder = dir.toAbsolutePath().normalize();
        String name = folder.getFileName().toString();
        out.accept(PluginCheck.Finding.ok("Python package " + folder + ": backend.py" + (Files.exists(folder.resolve("__init__.py"))
                ? ", __init__.py" : "")));
        String interpreter;
        try {
            interpreter = PythonEnvironment.interpreter(python);
        } catch (IllegalStateException e) {
            out.accept(PluginCheck.Finding.problem("cannot run " + (python == null ? "python3" : python) + ": " + e.getMessage()
                    + ", or pass --python"));
            return;
        }
        for (Path model : models) {
            if (!Files.isRegularFile(model)) {
                out.accept(PluginCheck.Finding.problem("model file " + model + " does not exist or is not a file"));
                return;
            }
        }
        // The layout the nodes give it: <root>/algopkg/<Name>/, models under one Model_ZOO folder.
        Path root = Files.createTempDirectory("modelserve-check-py");
        Files.createDirectories(root.resolve("algopkg"));
        Files.createSymbolicLink(root.resolve("algopkg").resolve(name), folder);
        StringBuilder modelPath = new StringBuilder();
        if (!models.isEmpty()) {
            Path zoo = Files.createDirectories(root.resolve("Model_ZOO"));
            modelPath.append(zoo);
            for (Path model : models) {
                Files.createSymbolicLink(zoo.resolve(model.getFileName().toString()), model.toAbsolutePath());
                modelPath.append(',').append(model.getFileName());
            }
        }
        Path requirements = folder.resolve("requirements.txt");
        if (Files.isRegularFile(requirements)) {
            Path wheelhouse = wheelhouse(folder);
            Path log = root.resolve("environment.log");
            try {
                interpreter = new PythonEnvironment(interpreter, requirements, wheelhouse, wheelsIn(wheelhouse))
                        .python(new PythonRuntime(runtimeRoot), log, System.err::println).toString();
            } catch (IllegalStateException e) {
                out.accept(PluginCheck.Finding.problem(e.getMessage() + " (wheelhouse " + wheelhouse + ", output in " + log + ")"));
                return;
            }
            out.accept(PluginCheck.Finding.ok("requirements.txt installed from " + wheelhouse + ": " + interpreter));
        }
        Path module = root.resolve("modelserve_runtime.py");
        try (InputStream in = PythonCheck.class.getResourceAsStream("/io/modelserve/agent/python/modelserve_runtime.py")) {
            if (in == null) {
                out.accept(PluginCheck.Finding.problem("the CLI lacks modelserve_runtime.py; rebuild it with bin/mvn -DskipTests package"));
                return;
            }
            Files.write(module, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of(interpreter, "-B", module.toString(), "--check", root.toString(), name,
                backend == null ? "" : backend, modelPath.toString(), params, JSON.writeValueAsString(config)));
        Path output = root.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).directory(root.toFile());
        PythonEnvironment.clean(builder.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            out.accept(PluginCheck.Finding.problem("cannot run " + interpreter + ": " + e.getMessage() + "; install python3 or pass --python"));
            return;
        }
        long started = System.nanoTime();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            out.accept(PluginCheck.Finding.problem("no answer within " + timeout.toSeconds() + " s; a node would replace the replica"));
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        String last = lines.isEmpty() ? "" : lines.getLast();
        if (process.exitValue() != 0 || !last.startsWith("{")) {
            List<String> tail = lines.subList(Math.max(0, lines.size() - 6), lines.size());
            out.accept(PluginCheck.Finding.problem("backend.py failed (exit code " + process.exitValue() + "):\n      "
                    + String.join("\n      ", tail)));
            return;
        }
        JsonNode result = JSON.readTree(last);
        String backendName = result.path("backend").asText();
        out.accept(PluginCheck.Finding.ok("backend " + backendName + (result.path("original").asBoolean()
                ? ": the original interface (__init__(model_path), __call__(request)); conf.ini: backend = " + backendName
                : ": the SDK's interface (init / inference" + (result.path("streams").asBoolean() ? ", streaming" : "") + ")")));
        JsonNode answer = result.path("answer");
        String shown = answer.toString().length() > SHOWN_CHARS ? answer.toString().substring(0, SHOWN_CHARS) + "..." : answer.toString();
        if (answer.path("status").asInt(1) == 1) {
            out.accept(PluginCheck.Finding.ok("constructed and answered " + params + " in " + millis + " ms: " + shown));
        } else {
            out.accept(PluginCheck.Finding.problem("the request " + params + " answered status " + answer.path("status").asText()
                    + ": " + shown + "; fix the package, or pass with --params a request it expects"));
        }
    }

    /** {@code wheelhouse/} beside {@code algopkg/}, as the head finds it. */
    private static Path wheelhouse(Path folder) {
        Path algopkg = folder.getParent();
        return (algopkg.getParent() == null ? algopkg : algopkg.getParent()).resolve("wheelhouse");
    }

    /** The wheelhouse's files as the head ships them with a package, so the environment is named as on a node. */
    private static List<Artifact> wheelsIn(Path wheelhouse) throws IOException {
        List<Artifact> wheels = new ArrayList<>();
        if (!Files.isDirectory(wheelhouse)) {
            return wheels;
        }
        FileDigests digests = new FileDigests();
        try (Stream<Path> listing = Files.list(wheelhouse)) {
            for (Path file : (Iterable<Path>) listing.sorted()::iterator) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().startsWith(".")) {
                    wheels.add(digests.artifact("wheelhouse/" + file.getFileName(), file));
                }
            }
        }
        return wheels;
    }
}
