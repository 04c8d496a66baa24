package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.agent.plugin.PluginLoader;
import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.DeploymentHandle;
import io.modelserve.sdk.Device;
import io.modelserve.sdk.Request;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a replica's child JVM ({@code isolation = process}): connects back to its node,
 * loads the plugin in the same classloader arrangement as in-process replicas, and answers the
 * node's calls one at a time. Whatever the plugin does to this JVM (exit, exhaust the heap, crash)
 * ends only this process.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) {
        // A node killed outright cannot close us; and a plugin's leaked non-daemon threads or a stuck
        // call would otherwise keep this JVM alive as an orphan after its node is gone.
        ProcessHandle.current().parent().ifPresent(node -> node.onExit().thenRun(() -> Runtime.getRuntime().halt(2)));
        int code = 0;
        try {
            run(Integer.parseInt(args[0]));
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        Runtime.getRuntime().halt(code);
    }

    private static void run(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            JsonNode init = Frames.read(in);
            AlgoBackend backend;
            try {
                backend = start(init);
            } catch (Throwable t) {
                Frames.write(out, error(BackendFailure.describe(t)));
                return;
            }
            Frames.write(out, ok(null));
            serve(backend, in, out);
        }
    }

    private static AlgoBackend start(JsonNode init) throws Exception {
        List<Path> jars = paths(init.get("jars"));
        List<Path> models = paths(init.get("models"));
        PluginLoader.LoadedBackend loaded = new PluginLoader().load(init.get("deployment").asText(), jars,
                init.get("backend").asText());
        Thread.currentThread().setContextClassLoader(loaded.classLoader());
        Map<String, String> config = Frames.JSON.convertValue(init.get("config"), Map.class);
        JsonNode device = init.get("device");
        Device assigned = device.path("kind").asText().equals("GPU")
                ? Device.gpu(device.path("index").asInt(), device.path("fraction").asDouble()) : Device.CPU;
        BackendContext context = new ChildContext(init.get("deployment").asText(), init.get("replicaId").asText(), models,
                config, assigned, new SimpleMeterRegistry());
        loaded.backend().init(context);
        return loaded.backend();
    }

    private static void serve(AlgoBackend backend, DataInputStream in, DataOutputStream out) throws Exception {
        while (true) {
            JsonNode call = Frames.read(in);
            if (call.path("op").asText().equals("close")) {
                try {
                    backend.close();
                } catch (Throwable ignored) {
                    // Exiting anyway.
                }
                Frames.write(out, ok(null));
                return;
            }
            JsonNode answer;
            try {
                answer = switch (call.path("op").asText()) {
                    case "infer" -> ChildAnswers.encode(backend.inference(request(call)));
                    case "batch" -> batch(backend, call);
                    case "reconfigure" -> {
                        backend.reconfigure(Frames.JSON.convertValue(call.get("config"), Map.class));
                        yield ok(null);
                    }
                    case "healthy" -> ok(Frames.JSON.getNodeFactory().booleanNode(backend.healthy()));
                    default -> error("unknown call " + call.path("op").asText());
                };
            } catch (Throwable t) {
                answer = ChildAnswers.failed(t);
            }
            Frames.write(out, answer);
        }
    }

    private static JsonNode batch(AlgoBackend backend, JsonNode call) throws Exception {
        List<Request> requests = new ArrayList<>();
        for (JsonNode r : call.get("requests")) {
            requests.add(request(r));
        }
        List<Object> results = backend.inferenceBatch(requests);
        ArrayNode answers = Frames.JSON.createArrayNode();
        for (Object result : results) {
            answers.add(ChildAnswers.encode(result));
        }
        return ok(answers);
    }

    private static JsonNode toJson(Object result) {
        try {
            return Frames.JSON.valueToTree(result);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the result is not JSON-serialisable: " + e.getMessage(), e);
        }
    }

    /** A call's request as the node encoded it ({@link ChildBackend#request}). */
    static Request request(JsonNode call) throws Exception {
        ObjectNode params = call.get("params") instanceof ObjectNode object ? object : Frames.JSON.createObjectNode();
        byte[] body = call.hasNonNull("body") ? call.get("body").binaryValue() : new byte[0];
        Map<String, String> headers = new LinkedHashMap<>();
        call.path("headers").properties().forEach(header -> headers.put(header.getKey(), header.getValue().asText()));
        return new JsonRequest(params, body, call.path("contentType").asText(""), call.path("subPath").asText(""), headers);
    }

    private static List<Path> paths(JsonNode array) {
        List<Path> paths = new ArrayList<>();
        array.forEach(p -> paths.add(Path.of(p.asText())));
        return paths;
    }

    static ObjectNode ok(JsonNode value) {
        ObjectNode node = Frames.JSON.createObjectNode().put("ok", true);
        if (value != null) {
            node.set("value", value);
        }
        return node;
    }

    static ObjectNode error(String message) {
        return Frames.JSON.createObjectNode().put("ok", false).put("error", message);
    }

    /** What the plugin sees in a child JVM; composition is not available across the process boundary. */
    private record ChildContext(String deployment, String replicaId, List<Path> modelPaths, Map<String, String> config,
            Device device, io.micrometer.core.instrument.MeterRegistry metrics) implements BackendContext {
        ChildContext {
            config = new LinkedHashMap<>(config);
        }

        @Override
        public DeploymentHandle handle(String name) {
            throw new IllegalStateException("deployment handles are not available with isolation = process");
        }
    }
}
