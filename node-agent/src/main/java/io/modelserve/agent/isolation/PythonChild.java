package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Python package in a child interpreter: the package laid out as {@code algopkg/<Name>/} on this
 * node, its own {@link PythonEnvironment} when it has a {@code requirements.txt} (installed offline
 * from the wheels that travelled with it), and the shipped {@code modelserve_runtime.py} speaking the
 * node's framed protocol.
 */
final class PythonChild implements ChildProgram {
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
        String interpreter = PythonEnvironment.interpreter(spec.isolation().interpreter());
        Path requirements = packageRoot.resolve("algopkg").resolve(packageName()).resolve("requirements.txt");
        if (Files.isRegularFile(requirements)) {
            List<Artifact> wheels = spec.pluginJars().stream().filter(a -> a.name().startsWith("wheelhouse/")).toList();
            interpreter = new PythonEnvironment(interpreter, requirements, packageRoot.resolve("wheelhouse"), wheels)
                    .python(runtime, logFile, progress -> {}).toString();
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

    /**
     * The child's environment: every replica child's ({@link ChildEnvironment}: its device), every
     * Python child's ({@link PythonEnvironment#clean}), and numeric libraries held to
     * the replica's cores: OpenBLAS and OpenMP start a thread (and a buffer) per core of the node by
     * default, which N replicas granted cpu_cost each would multiply. The operator's own setting wins.
     */
    private void environment(Map<String, String> environment) {
        environment.putAll(ChildEnvironment.forReplica(device).variables());
        String threads = String.valueOf(Math.max(1, (spec.cost().cpuMilli() + 999) / 1000));
        for (String name : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
            environment.putIfAbsent(name, threads);
        }
        PythonEnvironment.clean(environment);
    }

    @Override
    public String toString() {
        return "PythonChild[" + replicaId + "]";
    }
}
