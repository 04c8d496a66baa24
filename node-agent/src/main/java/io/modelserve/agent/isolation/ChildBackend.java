package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.Killable;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A replica's backend running in a child JVM of its own ({@code isolation = process}), seen from the
 * node as an ordinary {@link AlgoBackend}: each call is one request/answer over a loopback socket.
 * When the child dies — {@code System.exit}, OutOfMemoryError past {@code memory_limit}, a native
 * crash — the call in flight fails with the cause read from the exit code and the child's own output,
 * {@link #healthy()} turns false, and the node replaces the replica; the node itself is untouched.
 */
public final class ChildBackend implements AlgoBackend, Killable {
    private static final long START_TIMEOUT_MS = 120_000;

    private final DeploymentSpec spec;
    private final String replicaId;
    private final List<Path> jars;
    private final List<Path> models;
    private final Path logFile;
    /** Where this child's output begins in the (shared, appended) log: its cause is read from here on only. */
    private long logStart;
    private Process process;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private volatile boolean dead;

    public ChildBackend(DeploymentSpec spec, String replicaId, List<Path> jars, List<Path> models, Path logFile) {
        this.spec = spec;
        this.replicaId = replicaId;
        this.jars = List.copyOf(jars);
        this.models = List.copyOf(models);
        this.logFile = logFile;
    }

    @Override
    public void init(BackendContext context) throws Exception {
        Files.createDirectories(logFile.getParent());
        // Every restart of the replica appends to the same file; an earlier child's OutOfMemoryError
        // must not be read as this one's cause.
        logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(500);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + spec.isolation().memoryLimitMb() + "m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                    "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                    "-Dmodelserve.logDir=" + logFile.getParent(), "-Dmodelserve.process=" + replicaId + "-child",
                    "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), String.valueOf(server.getLocalPort())));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            ChildEnvironment.forReplica(context.device()).applyTo(builder);
            process = builder.start();
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (socket == null) {
                try {
                    socket = server.accept();
                } catch (SocketTimeoutException notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("child JVM " + cause());
                    }
                    if (System.currentTimeMillis() > deadline) {
                        kill();
                        throw new IllegalStateException("child JVM did not start within " + START_TIMEOUT_MS / 1000 + " s");
                    }
                }
            }
        }
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        ObjectNode init = Frames.JSON.createObjectNode();
        init.put("deployment", context.deployment()).put("replicaId", context.replicaId()).put("backend", spec.backend());
        init.set("jars", paths(jars));
        init.set("models", paths(models));
        init.set("config", Frames.JSON.valueToTree(context.config()));
        init.set("device", Frames.JSON.valueToTree(context.device()));
        value(call(init));
    }

    @Override
    public Object inference(Request request) throws Exception {
        Object result = ChildAnswers.decode(call(request(request).put("op", "infer")));
        if (result instanceof Exception e) {
            throw e;
        }
        return result;
    }

    @Override
    public List<Object> inferenceBatch(List<Request> batch) throws Exception {
        ObjectNode call = Frames.JSON.createObjectNode().put("op", "batch");
        ArrayNode requests = call.putArray("requests");
        for (Request request : batch) {
            requests.add(request(request));
        }
        List<Object> results = new ArrayList<>();
        for (JsonNode answer : (ArrayNode) value(call(call))) {
            results.add(ChildAnswers.decode(answer));
        }
        return results;
    }

    @Override
    public void reconfigure(Map<String, String> config) throws Exception {
        ObjectNode call = Frames.JSON.createObjectNode().put("op", "reconfigure");
        call.set("config", Frames.JSON.valueToTree(config));
        value(call(call));
    }

    @Override
    public boolean healthy() {
        if (dead || process == null || !process.isAlive()) {
            return false;
        }
        try {
            return value(call(Frames.JSON.createObjectNode().put("op", "healthy"))).asBoolean();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        if (!dead && process.isAlive()) {
            try {
                socket.setSoTimeout(5_000);
                call(Frames.JSON.createObjectNode().put("op", "close"));
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // It will be killed below.
            }
        }
        kill();
    }

    /** Stops the child at once, even mid-call (a hung or spinning plugin): the call then fails. */
    @Override
    public String kill() {
        dead = true;
        if (process == null) {
            return null;
        }
        process.destroyForcibly();
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // Already closed.
        }
        return "child JVM " + cause();
    }

    private JsonNode call(ObjectNode message) throws Exception {
        if (dead) {
            throw new IllegalStateException("child JVM " + cause());
        }
        try {
            Frames.write(out, message);
            return Frames.read(in);
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException("child JVM " + cause(), e);
        }
    }

    private static JsonNode value(JsonNode answer) {
        if (!answer.path("ok").asBoolean()) {
            throw new IllegalStateException(answer.path("error").asText("the child JVM failed"));
        }
        return answer.get("value");
    }

    private static ObjectNode request(Request request) {
        ObjectNode call = Frames.JSON.createObjectNode();
        call.set("params", request.params());
        call.put("contentType", request.contentType());
        if (!request.subPath().isEmpty()) {
            call.put("subPath", request.subPath());
        }
        if (request.body().length > 0) {
            call.put("body", request.body());
        }
        return call;
    }

    private static ArrayNode paths(List<Path> paths) {
        ArrayNode array = Frames.JSON.createArrayNode();
        paths.forEach(p -> array.add(p.toAbsolutePath().toString()));
        return array;
    }

    /** Why the child is gone, from its exit code and the last lines it wrote. */
    private String cause() {
        if (process == null) {
            return "did not start";
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            return "stopped answering (killed)";
        }
        String tail = tail();
        int code = process.exitValue();
        if (tail.contains("OutOfMemoryError")) {
            return "ran out of memory (memory_limit = " + spec.isolation().memoryLimitMb() + "m), exit code " + code;
        }
        if (code > 128) {
            return "was killed by signal " + (code - 128) + (tail.isEmpty() ? "" : ": " + lastLine(tail));
        }
        return "exited with code " + code + (code == 0 ? "" : " (System.exit or a crash)")
                + (tail.isEmpty() ? "" : "; last output: " + lastLine(tail));
    }

    private String tail() {
        try {
            try (var file = java.nio.channels.FileChannel.open(logFile)) {
                long from = Math.max(logStart, file.size() - 4096);
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) Math.max(0, file.size() - from));
                while (bytes.hasRemaining() && file.read(bytes, from + bytes.position()) > 0) {
                    // read the segment
                }
                return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        String line = lines[lines.length - 1].strip();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    @Override
    public String toString() {
        return "ChildBackend[" + replicaId + "]";
    }
}
