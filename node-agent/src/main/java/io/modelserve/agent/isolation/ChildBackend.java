package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.runtime.DeclaredStreaming;
import io.modelserve.agent.runtime.Killable;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.ChunkSink;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.StreamingBackend;
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
 * A replica's backend running in a child process of its own — a JVM ({@code isolation = process}) or
 * a Python interpreter ({@code runtime = python}), see {@link ChildProgram} — seen from the node as an
 * ordinary backend: each call is one request/answer over a loopback socket (a stream: chunks, then
 * the answer). When the child dies — an exit, running out of memory past {@code memory_limit}, a
 * native crash — the call in flight fails with the cause read from the exit code and the child's own
 * output, {@link #healthy()} turns false, and the node replaces the replica; the node is untouched.
 */
public final class ChildBackend implements StreamingBackend, DeclaredStreaming, Killable {
    private static final long START_TIMEOUT_MS = 120_000;

    private final ChildProgram program;
    private final String replicaId;
    private final Path logFile;
    /** Told by the child's answer to init: a Python generator streams; a child JVM never does. */
    private boolean streams;
    /** Where this child's output begins in the (shared, appended) log: its cause is read from here on only. */
    private long logStart;
    private Process process;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private volatile boolean dead;

    /** A Java plugin in a child JVM. */
    public ChildBackend(DeploymentSpec spec, String replicaId, List<Path> jars, List<Path> models, Path logFile) {
        this(new JvmChild(spec, replicaId, jars, models, logFile.getParent()), replicaId, logFile);
    }

    ChildBackend(ChildProgram program, String replicaId, Path logFile) {
        this.program = program;
        this.replicaId = replicaId;
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
            ProcessBuilder builder = program.process(server.getLocalPort(), context.device()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException(program.what() + " cannot start " + builder.command().get(0) + ": "
                        + e.getMessage(), e);
            }
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (socket == null) {
                try {
                    socket = server.accept();
                } catch (SocketTimeoutException notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(program.what() + " " + cause());
                    }
                    if (System.currentTimeMillis() > deadline) {
                        kill();
                        throw new IllegalStateException(program.what() + " did not start within " + START_TIMEOUT_MS / 1000 + " s");
                    }
                }
            }
        }
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        JsonNode started = value(call(program.init(context)));
        streams = started != null && started.path("streams").asBoolean(false);
    }

    @Override
    public boolean streams() {
        return streams;
    }

    @Override
    public Object inference(Request request) throws Exception {
        Object result = ChildAnswers.decode(call(request(request).put("op", "infer")));
        if (result instanceof Exception e) {
            throw e;
        }
        return result;
    }

    /** Chunks arrive one frame each, then the answer; a client gone early still drains them, the socket stays in step. */
    @Override
    public void inferenceStream(Request request, ChunkSink sink) throws Exception {
        ObjectNode call = request(request).put("op", "stream");
        if (dead) {
            throw new IllegalStateException(program.what() + " " + cause());
        }
        try {
            Frames.write(out, call);
            while (true) {
                JsonNode frame = Frames.read(in);
                if (!frame.has("chunk")) {
                    Object end = ChildAnswers.decode(frame);
                    if (end instanceof Exception e) {
                        throw e;
                    }
                    return;
                }
                sink.emit(frame.get("chunk"));
            }
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException(program.what() + " " + cause(), e);
        }
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
        return program.what() + " " + cause();
    }

    private JsonNode call(ObjectNode message) throws Exception {
        if (dead) {
            throw new IllegalStateException(program.what() + " " + cause());
        }
        try {
            Frames.write(out, message);
            return Frames.read(in);
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException(program.what() + " " + cause(), e);
        }
    }

    private static JsonNode value(JsonNode answer) {
        if (!answer.path("ok").asBoolean()) {
            throw new IllegalStateException(answer.path("error").asText("the child process failed"));
        }
        return answer.get("value");
    }

    static ObjectNode request(Request request) {
        ObjectNode call = Frames.JSON.createObjectNode();
        call.set("params", request.params());
        call.put("contentType", request.contentType());
        if (!request.subPath().isEmpty()) {
            call.put("subPath", request.subPath());
        }
        if (request.body().length > 0) {
            call.put("body", request.body());
        }
        // {name: value}, lower-case names: the child (ChildMain, modelserve_runtime.py) hands them on as they are.
        call.set("headers", Frames.JSON.valueToTree(request.headers()));
        return call;
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
        if (program.ranOutOfMemory(tail)) {
            return "ran out of memory (memory_limit = " + program.memoryLimitMb() + "m), exit code " + code;
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
