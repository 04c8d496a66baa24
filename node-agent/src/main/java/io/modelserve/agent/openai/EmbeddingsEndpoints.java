package io.modelserve.agent.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.http.RequestLog;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.routing.TrafficSplit;
import io.modelserve.agent.runtime.EmbeddingCall;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * OpenAI's embeddings API on a node's ingress, for deployments that embed text ({@link EmbeddingModels}):
 * {@code POST /v1/embeddings} ({@code model} = the deployment's name, {@code input} a string or a
 * list of strings, {@code encoding_format} {@code float} or {@code base64}) and {@code GET /v1/models}
 * [{@code /<model>}]. The texts are routed like a request to the deployment's route (traffic split,
 * {@code X-Modelserve-Version}, queues, other nodes) and embedded by the backend's
 * {@code TextEmbedder.embed}, so the vectors are those its route gives. Errors are OpenAI's shape,
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class EmbeddingsEndpoints implements Ingress.Extension {
    private static final ObjectMapper JSON = PooledJson.mapper();
    /** OpenAI's limit on texts per request. */
    static final int MAX_INPUTS = 2048;

    private final RouteTable routes;
    private final ReplicaRouter router;
    private final RequestBodies bodies;
    private final RequestLog requests;
    private final EmbeddingModels models;
    private final io.modelserve.agent.access.AccessLog access;

    public EmbeddingsEndpoints(RouteTable routes, ReplicaRouter router, RequestBodies bodies, RequestLog requests) {
        this(routes, router, bodies, requests, io.modelserve.agent.access.AccessLog.OFF);
    }

    public EmbeddingsEndpoints(RouteTable routes, ReplicaRouter router, RequestBodies bodies, RequestLog requests,
            io.modelserve.agent.access.AccessLog access) {
        this.access = access;
        this.routes = routes;
        this.router = router;
        this.bodies = bodies;
        this.requests = requests;
        this.models = new EmbeddingModels(routes, router);
    }

    @Override
    public void register(Javalin app) {
        app.get("/v1/models", ctx -> {
            ObjectNode list = JSON.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            models.list().forEach(spec -> data.add(model(spec)));
            json(ctx, 200, list);
        });
        app.get("/v1/models/{model}", ctx -> {
            DeploymentSpec spec = routes.forDeployment(ctx.pathParam("model")).filter(s -> !s.isCanary())
                    .filter(models::embeds).orElse(null);
            if (spec == null) {
                error(ctx, 404, "The model '" + ctx.pathParam("model") + "' does not exist: no deployment of that name"
                        + " embeds text (see GET /v1/models)", "invalid_request_error", "model", "model_not_found");
            } else {
                json(ctx, 200, model(spec));
            }
        });
        app.post("/v1/embeddings", this::embeddings);
    }

    private static ObjectNode model(DeploymentSpec spec) {
        return JSON.createObjectNode().put("id", spec.name()).put("object", "model").put("created", 0)
                .put("owned_by", "modelserve");
    }

    private void embeddings(Context ctx) {
        long started = System.nanoTime();
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                Ingress.refuse(ctx, refusal.status(), refusal.retryAfterSeconds(), errorBody(refusal.message(),
                        refusal.status() == 413 ? "invalid_request_error" : "server_error", null, null));
                return;
            }
            embeddings(ctx, ((BodyReader.Read) read).bytes(), started);
        }
    }

    private void embeddings(Context ctx, byte[] body, long started) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            error(ctx, 400, "We could not parse the JSON body of your request: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
                    "invalid_request_error", null, null);
            return;
        }
        if (request == null || !request.isObject()) {
            error(ctx, 400, "The body must be a JSON object {\"model\": ..., \"input\": ...}", "invalid_request_error", null, null);
            return;
        }
        String name = request.path("model").asText("");
        DeploymentSpec main = routes.forDeployment(name).filter(spec -> !spec.isCanary()).orElse(null);
        if (main == null || !models.embeds(main)) {
            error(ctx, 404, "The model '" + name + "' does not exist: no deployment of that name embeds text"
                    + (main == null ? "" : " (or none of its replicas is ready)") + "; see GET /v1/models",
                    "invalid_request_error", "model", "model_not_found");
            return;
        }
        List<String> texts = new ArrayList<>();
        String problem = texts(request.get("input"), texts);
        String format = request.path("encoding_format").asText("float");
        if (problem == null && !format.equals("float") && !format.equals("base64")) {
            problem = "encoding_format must be 'float' or 'base64', got '" + format + "'";
        }
        if (problem != null) {
            done(ctx, main, false, null, 400, started, body.length, error(ctx, 400, problem, "invalid_request_error",
                    problem.startsWith("encoding_format") ? "encoding_format" : "input", null));
            return;
        }
        DeploymentSpec spec = main;
        DeploymentSpec fallback = null;
        String pinned = ctx.header(Ingress.VERSION_HEADER);
        if (pinned != null && !pinned.isBlank()) {
            spec = routes.version(main, pinned.strip()).orElse(null);
            if (spec == null) {
                done(ctx, main, false, null, 404, started, body.length, error(ctx, 404, "no version " + pinned.strip()
                        + " of model '" + name + "' (" + Ingress.VERSION_HEADER + ")", "invalid_request_error", null, "model_not_found"));
                return;
            }
        } else if (!routes.canariesOf(main.name()).isEmpty()) {
            spec = TrafficSplit.choose(main, routes.canariesOf(main.name()), version -> router.hasReady(version.name()),
                    ThreadLocalRandom.current().nextInt(10_000));
            fallback = spec == main ? null : main;
        }
        Outcome outcome = router.dispatch(spec, EmbeddingCall.request(texts), fallback);
        switch (outcome) {
            case Outcome.Refused refused -> {
                if (refused.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", String.valueOf(refused.retryAfterSeconds()));
                }
                done(ctx, spec, true, null, refused.status(), started, body.length, error(ctx, refused.status(), refused.message(),
                        refused.status() >= 500 ? "server_error" : "invalid_request_error", null, null));
            }
            case Outcome.Served served -> {
                JsonNode answer = EmbeddingModels.tree(served.result());
                if (answer.has(EmbeddingCall.NOT_EMBEDDER)) {
                    done(ctx, spec, true, served, 404, started, body.length, error(ctx, 404, "The model '" + name
                            + "' does not embed text", "invalid_request_error", "model", "model_not_found"));
                    return;
                }
                done(ctx, spec, true, served, 200, started, body.length, json(ctx, 200, response(name, answer,
                        format.equals("base64"))));
            }
        }
    }

    /** The texts of {@code input} into {@code into}; null, or what is wrong with it. */
    private static String texts(JsonNode input, List<String> into) {
        if (input == null || input.isNull()) {
            return "'input' is required: a string or a list of strings";
        }
        if (input.isTextual()) {
            into.add(input.asText());
        } else if (input.isArray()) {
            for (JsonNode text : input) {
                if (!text.isTextual()) {
                    return "'input' must be a string or a list of strings; token arrays are not supported (got "
                            + text.getNodeType().name().toLowerCase() + " at index " + into.size() + ")";
                }
                into.add(text.asText());
            }
        } else {
            return "'input' must be a string or a list of strings, got " + input.getNodeType().name().toLowerCase();
        }
        if (into.isEmpty()) {
            return "'input' must not be empty";
        }
        if (into.size() > MAX_INPUTS) {
            return "'input' holds " + into.size() + " texts; at most " + MAX_INPUTS + " per request";
        }
        for (int i = 0; i < into.size(); i++) {
            if (into.get(i).isBlank()) {
                return "'input' must not contain empty strings (index " + i + ")";
            }
        }
        return null;
    }

    private static ObjectNode response(String model, JsonNode answer, boolean base64) {
        ObjectNode response = JSON.createObjectNode().put("object", "list");
        ArrayNode data = response.putArray("data");
        int index = 0;
        for (JsonNode vector : answer.path("vectors")) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", index++);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                vector.forEach(value -> bytes.putFloat((float) value.asDouble()));
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                vector.forEach(value -> values.add((float) value.asDouble()));
            }
        }
        response.put("model", model);
        long tokens = 0;
        for (JsonNode count : answer.path("tokens")) {
            tokens += count.asLong();
        }
        response.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return response;
    }

    private static Map<String, Object> errorBody(String message, String type, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

    /** Counts the request in {@code modelserve.requests} and logs it (when its deployment's {@code access_log} is on). */
    private void done(Context ctx, DeploymentSpec spec, boolean versionChosen, Outcome.Served served, int status, long started,
            long bytesIn, int bytesOut) {
        requests.record(spec, served == null ? null : served.replicaId(), status, started);
        access.record(io.modelserve.agent.access.AccessLine.Protocol.OPENAI, ctx.path(), spec, versionChosen, served, status,
                bytesIn, bytesOut, started);
    }

    /** @return the bytes of the answer */
    private static int error(Context ctx, int status, String message, String type, String param, String code) {
        return json(ctx, status, errorBody(message, type, param, code));
    }

    private static int json(Context ctx, int status, Object body) {
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            ctx.status(status).contentType("application/json").result(json);
            return json.length;
        } catch (IOException e) {
            ctx.status(500).contentType("application/json").result("{\"error\":{\"message\":\"cannot encode the response\"}}");
            return 0;
        }
    }
}
