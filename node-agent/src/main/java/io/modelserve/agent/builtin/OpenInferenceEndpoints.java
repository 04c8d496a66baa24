package io.modelserve.agent.builtin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe v2) REST endpoints on a node's ingress, for deployments with a
 * built-in backend; the model name is the deployment's name. Calls are routed to a replica like any
 * request (local first, else another node). Errors are the protocol's {@code {"error": "..."}}:
 * 400 for the caller's tensors (the input named), 404 for an unknown model, 503 when no replica is
 * ready, 500 when the model failed.
 */
public final class OpenInferenceEndpoints implements Ingress.Extension {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final RouteTable routes;
    private final ReplicaRouter router;
    private final ReplicaDirectory replicas;
    private final RequestBodies bodies;

    public OpenInferenceEndpoints(RouteTable routes, ReplicaRouter router, ReplicaDirectory replicas,
            RequestBodies bodies) {
        this.routes = routes;
        this.router = router;
        this.replicas = replicas;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get("/v2", ctx -> json(ctx, 200, Map.of("name", "modelserve", "version", "2", "extensions", List.of())));
        app.get("/v2/health/live", ctx -> json(ctx, 200, Map.of("live", true)));
        app.get("/v2/health/ready", this::serverReady);
        app.get("/v2/models/{model}", ctx -> call(ctx, OpenInference.METADATA_TYPE, null));
        app.get("/v2/models/{model}/ready", this::modelReady);
        app.post("/v2/models/{model}/infer", this::infer);
    }

    /** Ready when every built-in deployment has a replica ready somewhere in the cluster. */
    private void serverReady(Context ctx) {
        List<String> waiting = routes.deployments().stream().filter(DeploymentSpec::isBuiltin)
                .filter(spec -> spec.replicas() > 0 && !ready(spec)).map(DeploymentSpec::name).sorted().toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", waiting.isEmpty());
        if (!waiting.isEmpty()) {
            body.put("waiting_for", waiting);
        }
        json(ctx, waiting.isEmpty() ? 200 : 503, body);
    }

    private void modelReady(Context ctx) {
        DeploymentSpec spec = model(ctx);
        if (spec != null) {
            boolean ready = ready(spec);
            json(ctx, ready ? 200 : 503, Map.of("name", spec.name(), "ready", ready));
        }
    }

    private boolean ready(DeploymentSpec spec) {
        return !replicas.running(spec.name()).isEmpty() || !replicas.remote(spec.name()).isEmpty();
    }

    private void infer(Context ctx) {
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                Ingress.refuse(ctx, refusal.status(), refusal.retryAfterSeconds(), Map.of("error", refusal.message()));
                return;
            }
            infer(ctx, ((BodyReader.Read) read).bytes());
        }
    }

    private void infer(Context ctx, byte[] body) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(body);
        } catch (IOException e) {
            error(ctx, 400, "malformed JSON body: " + firstLine(e.getMessage()));
            return;
        }
        if (parsed == null || !parsed.isObject()) {
            error(ctx, 400, "the body must be a JSON object {\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}");
            return;
        }
        call(ctx, OpenInference.INFER_TYPE, (ObjectNode) parsed);
    }

    private void call(Context ctx, String kind, ObjectNode body) {
        DeploymentSpec spec = model(ctx);
        if (spec == null) {
            return;
        }
        ObjectNode params = body != null ? body : JSON.createObjectNode();
        Outcome outcome = router.dispatch(spec, new JsonRequest(params, new byte[0], kind));
        switch (outcome) {
            case Outcome.Served served -> {
                Object result = served.result();
                String problem = problem(result);
                if (problem != null) {
                    error(ctx, 400, problem);
                } else {
                    json(ctx, 200, result);
                }
            }
            case Outcome.Refused refused -> {
                if (refused.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                }
                error(ctx, refused.status(), refused.message());
            }
        }
    }

    /** The error a replica answered as its result (local: a Map, forwarded: JSON), or null. */
    private static String problem(Object result) {
        if (result instanceof Map<?, ?> map && map.get(OpenInference.ERROR) instanceof String message) {
            return message;
        }
        if (result instanceof JsonNode node && node.path(OpenInference.ERROR).isTextual()) {
            return node.get(OpenInference.ERROR).asText();
        }
        return null;
    }

    /** The built-in deployment named in the path, or null after answering 404. */
    private DeploymentSpec model(Context ctx) {
        String name = ctx.pathParam("model");
        DeploymentSpec spec = routes.forDeployment(name).orElse(null);
        if (spec == null) {
            error(ctx, 404, "unknown model '" + name + "'; models are deployment names with a builtin: backend");
            return null;
        }
        if (!spec.isBuiltin()) {
            error(ctx, 404, "model '" + name + "' is served by a plugin (" + spec.backend()
                    + "); the Open Inference Protocol serves builtin: backends; call its route /" + spec.route());
            return null;
        }
        return spec;
    }

    private static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            ctx.status(500).contentType("application/json").result("{\"error\":\"cannot encode the response\"}");
        }
    }

    private static void error(Context ctx, int status, String message) {
        json(ctx, status, Map.of(OpenInference.ERROR, message));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
