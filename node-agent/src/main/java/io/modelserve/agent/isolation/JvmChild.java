package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Device;
import java.nio.file.Path;
import java.util.List;

/**
 * A Java plugin in a child JVM ({@code isolation = process}): the node's own classpath running
 * {@link ChildMain}, its heap capped at {@code memory_limit}.
 */
record JvmChild(DeploymentSpec spec, String replicaId, List<Path> jars, List<Path> models, Path logDir) implements ChildProgram {

    JvmChild {
        jars = List.copyOf(jars);
        models = List.copyOf(models);
    }

    @Override
    public String what() {
        return "child JVM";
    }

    @Override
    public ProcessBuilder process(int port, Device device) {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + memoryLimitMb() + "m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Dmodelserve.logDir=" + logDir, "-Dmodelserve.process=" + replicaId + "-child",
                "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), String.valueOf(port));
        return ChildEnvironment.forReplica(device).applyTo(builder);
    }

    @Override
    public ObjectNode init(BackendContext context) {
        ObjectNode init = Frames.JSON.createObjectNode();
        init.put("deployment", context.deployment()).put("replicaId", context.replicaId()).put("backend", spec.backend());
        init.set("jars", paths(jars));
        init.set("models", paths(models));
        init.set("config", Frames.JSON.valueToTree(context.config()));
        init.set("device", Frames.JSON.valueToTree(context.device()));
        return init;
    }

    @Override
    public boolean ranOutOfMemory(String output) {
        return output.contains("OutOfMemoryError");
    }

    @Override
    public long memoryLimitMb() {
        return spec.isolation().memoryLimitMb();
    }

    static ArrayNode paths(List<Path> paths) {
        ArrayNode array = Frames.JSON.createArrayNode();
        paths.forEach(p -> array.add(p.toAbsolutePath().toString()));
        return array;
    }
}
