package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Device;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Python package in a child interpreter: the package laid out as {@code algopkg/<Name>/} on this
 * node, its own virtual environment when it has a {@code requirements.txt} (installed offline from the
 * wheels that travelled with it), and the shipped {@code modelserve_runtime.py} speaking the node's
 * framed protocol.
 *
 * <p>Environments see the interpreter's own site-packages ({@code --system-site-packages}): what the
 * package pins is installed into its environment and wins; a requirement the wheelhouse has no wheel
 * for but the interpreter already has (Debian's {@code python3-numpy}) is taken from the interpreter.
 */
final class PythonChild implements ChildProgram {
    private static final long VENV_TIMEOUT_S = 120;
    private static final long PIP_TIMEOUT_S = 600;

    private final PythonRuntime runtime;
    private final DeploymentSpec spec;
    private final String replicaId;
    private final List<Path> files;
    private final List<Path> models;
    private final Path logFile;
    private Path packageRoot;
    private Path modelZoo;
    private Device device = Device.CPU;

    PythonChild(PythonRuntime runtime, DeploymentSpec spec, String replicaId, List<Path> files, List<Path> models,
            Path logFile) {
        this.runtime = runtime;
        this.spec = spec;
        this.replicaId = replicaId;
        this.files = List.copyOf(files);
        this.models = List.copyOf(models);
        this.logFile = logFile;
    }

    @Override
    public String what() {
        return "Python child";
    }

    @Override
    public ProcessBuilder process(int port, Device device) throws Exception {
        this.device = device;
        packageRoot = runtime.packageRoot(spec.pluginJars(), files);
        modelZoo = spec.models().isEmpty() ? null : runtime.modelZoo(spec.models(), models);
        String interpreter = interpreter();
        Path requirements = packageRoot.resolve("algopkg").resolve(packageName()).resolve("requirements.txt");
        if (Files.isRegularFile(requirements)) {
            interpreter = environment(interpreter, requirements).toString();
        }
        ProcessBuilder builder = new ProcessBuilder(interpreter, "-u", runtime.module().toString(), String.valueOf(port))
                .directory(packageRoot.toFile());
        environment(builder.environment());
        return builder;
    }

    @Override
    public ObjectNode init(BackendContext context) {
        ObjectNode init = Frames.JSON.createObjectNode();
        init.put("deployment", context.deployment()).put("replicaId", context.replicaId())
                .put("package_root", packageRoot.toString()).put("package", packageName()).put("backend", spec.backend())
                .put("model_path", modelPath()).put("memory_limit_mb", memoryLimitMb());
        init.set("models", JvmChild.paths(spec.models().stream().map(m -> modelZoo.resolve(m.name())).toList()));
        init.set("config", Frames.JSON.valueToTree(context.config()));
        return init;
    }

    @Override
    public boolean ranOutOfMemory(String output) {
        return output.contains("MemoryError");
    }

    @Override
    public long memoryLimitMb() {
        return spec.isolation().memoryLimitMb();
    }

    /** The original server's {@code "<Model_ZOO dir>,<model1>,<model2>"}, or empty without models. */
    private String modelPath() {
        if (modelZoo == null) {
            return "";
        }
        StringBuilder path = new StringBuilder(modelZoo.toString());
        spec.models().forEach(m -> path.append(',').append(m.name()));
        return path.toString();
    }

    /** The folder the package came from on the head: the first segment of its files' names. */
    private String packageName() {
        for (Artifact artifact : spec.pluginJars()) {
            if (!artifact.name().startsWith("wheelhouse/")) {
                return artifact.name().substring(0, artifact.name().indexOf('/'));
            }
        }
        throw new IllegalStateException("the package has no files");
    }

    /** The python of the section or [MODEL SERVE], else python3 on PATH; its absence is said plainly. */
    private String interpreter() {
        String named = spec.isolation().interpreter().isEmpty() ? "python3" : spec.isolation().interpreter();
        if (named.contains("/")) {
            if (!Files.isExecutable(Path.of(named))) {
                throw new IllegalStateException("Python interpreter " + named + " not found or not executable on this "
                        + "node; set python = /path/to/python3 in the section or in [MODEL SERVE]");
            }
            return named;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, named))) {
                return Path.of(dir, named).toString();
            }
        }
        throw new IllegalStateException("Python interpreter " + named + " not found on PATH of this node; install "
                + "python3 or set python = /path/to/python3 in the section or in [MODEL SERVE]");
    }

    /** The package's virtual environment, created and installed once per interpreter, requirements and wheels. */
    private Path environment(String interpreter, Path requirements) throws IOException {
        StringBuilder identity = new StringBuilder(Path.of(interpreter).toAbsolutePath().normalize().toString()).append('\n')
                .append(Files.readString(requirements, StandardCharsets.UTF_8)).append('\n');
        spec.pluginJars().stream().filter(a -> a.name().startsWith("wheelhouse/"))
                .forEach(a -> identity.append(a.name()).append('=').append(a.sha256()).append('\n'));
        Path venv = runtime.environments().resolve(PythonRuntime.sha256(identity.toString()).substring(0, 24));
        runtime.build(venv, dir -> {
            run("creating its virtual environment", VENV_TIMEOUT_S, interpreter, "-m", "venv", "--system-site-packages",
                    dir.toString());
            run("installing its requirements.txt", PIP_TIMEOUT_S, dir.resolve("bin/python").toString(), "-m", "pip",
                    "install", "--no-index", "--find-links", packageRoot.resolve("wheelhouse").toString(),
                    "--disable-pip-version-check", "--no-input", "--no-cache-dir", "-r", requirements.toString());
        });
        return venv.resolve("bin/python");
    }

    /** Runs a step of preparing the environment, its output appended to the replica's log; fails with its errors. */
    private void run(String step, long timeoutS, String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(logFile.getParent(), ".python-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            environment(builder.environment());
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
            Files.writeString(logFile, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
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

    /**
     * The child's environment: every replica child's ({@link ChildEnvironment}: its device), bytecode
     * kept out of the shared package folder, no inherited Python paths, and numeric libraries held to
     * the replica's cores: OpenBLAS and OpenMP start a thread (and a buffer) per core of the node by
     * default, which N replicas granted cpu_cost each would multiply. The operator's own setting wins.
     */
    private void environment(Map<String, String> environment) {
        environment.putAll(ChildEnvironment.forReplica(device).variables());
        String threads = String.valueOf(Math.max(1, (spec.cost().cpuMilli() + 999) / 1000));
        for (String name : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
            environment.putIfAbsent(name, threads);
        }
        environment.remove("PYTHONPATH");
        environment.remove("PYTHONHOME");
        environment.remove("VIRTUAL_ENV");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.put("PYTHONUNBUFFERED", "1");
        environment.put("PIP_NO_INDEX", "1");
    }

    @Override
    public String toString() {
        return "PythonChild[" + replicaId + "]";
    }
}
