package io.modelserve.agent.builtin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.memory.BodyReader;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe v2) REST endpoints on a node's ingress, for deployments with a
 * built-in backend; the model name is the deployment's name, its versions {@code main} and its
 * canaries' labels. The calls themselves are {@link OpenInferenceService}'s (shared with gRPC); this
 * class is HTTP: paths, the binary tensor data extension's framing, and the protocol's
 * {@code {"error": "..."}} for every error under {@code /v2}, unknown paths and methods included.
 */
public final class OpenInferenceEndpoints implements Ingress.Extension {
    /** The length of the JSON part of a body whose binary tensors follow it (binary tensor data extension). */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    private static final ObjectMapper JSON = new ObjectMapper(PooledJson.factory()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String MODEL = "/v2/models/{model}";
    private static final String VERSION = "/v2/models/{model}/versions/{version}";

    private final OpenInferenceService service;
    private final RequestBodies bodies;

    public OpenInferenceEndpoints(OpenInferenceService service, RequestBodies bodies) {
        this.service = service;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get("/v2", ctx -> json(ctx, 200, service.serverMetadata()));
        app.get("/v2/health/live", ctx -> json(ctx, 200, Map.of("live", true)));
        app.get("/v2/health/ready", ctx -> answer(ctx, service.serverReady()));
        for (String model : List.of(MODEL, VERSION)) {
            app.get(model, ctx -> answer(ctx, service.modelMetadata(ctx.pathParam("model"), version(ctx))));
            app.get(model + "/ready", ctx -> answer(ctx, service.modelReady(ctx.pathParam("model"), version(ctx))));
            app.post(model + "/infer", this::infer);
        }
        for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
                HandlerType.DELETE, HandlerType.PATCH}) {
            app.addHttpHandler(method, "/v2/<rest>", OpenInferenceEndpoints::unknownPath);
        }
    }

    private static String version(Context ctx) {
        return ctx.pathParamMap().get("version");
    }

    /** What no endpoint above took: a wrong method on a protocol path (405), or no such path (404). */
    private static void unknownPath(Context ctx) {
        String path = ctx.path();
        boolean infer = path.matches("/v2/models/[^/]+(/versions/[^/]+)?/infer/?");
        boolean read = path.matches("/v2(/health/(live|ready))?/?|/v2/models/[^/]+(/versions/[^/]+)?(/ready)?/?");
        if (infer || read) {
            ctx.header("Allow", infer ? "POST" : "GET");
            error(ctx, 405, "method " + ctx.method() + " not allowed on " + path + "; use " + (infer ? "POST" : "GET"));
            return;
        }
        error(ctx, 404, "no Open Inference endpoint " + path + "; the protocol serves /v2, /v2/health/live, /v2/health/ready,"
                + " /v2/models/<model>[/versions/<version>][/ready|/infer]");
    }

    private void infer(Context ctx) {
        long started = System.nanoTime();
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            BodyReader.Result read = bodies.read(ctx, reservation);
            if (read instanceof BodyReader.Refusal refusal) {
                refused(ctx, refusal.status(), 0, Ingress.refuse(ctx, refusal.status(), refusal.retryAfterSeconds(),
                        Map.of("error", refusal.message())), started);
                return;
            }
            infer(ctx, ((BodyReader.Read) read).bytes(), started);
        }
    }

    private void infer(Context ctx, byte[] body, long started) {
        String headerLength = ctx.header(HEADER_LENGTH);
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.strip());
            } catch (NumberFormatException e) {
                jsonLength = -1;
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                refused(ctx, 400, body.length, error(ctx, 400, HEADER_LENGTH + " must be the length of the JSON at the start"
                        + " of the body (0.." + body.length + "), got '" + headerLength + "'"), started);
                return;
            }
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(body, 0, jsonLength);
        } catch (IOException e) {
            refused(ctx, 400, body.length, error(ctx, 400, "malformed JSON body: " + firstLine(e.getMessage())), started);
            return;
        }
        if (parsed == null || !parsed.isObject()) {
            refused(ctx, 400, body.length, error(ctx, 400,
                    "the body must be a JSON object {\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}"), started);
            return;
        }
        ObjectNode request = (ObjectNode) parsed;
        String problem = BinaryTensors.inline(request, java.util.Arrays.copyOfRange(body, jsonLength, body.length));
        if (problem != null) {
            refused(ctx, 400, body.length, error(ctx, 400, problem), started);
            return;
        }
        OpenInferenceService.Answer answer = service.infer(ctx.pathParam("model"), version(ctx), request, started);
        if (!answer.isOk()) {
            logged(ctx, answer, answer.status(), body.length, answer(ctx, answer), started);
            return;
        }
        ObjectNode response = (ObjectNode) answer.body();
        List<byte[]> binary;
        try {
            binary = BinaryTensors.extract(response, name -> BinaryTensors.wantsBinary(request, name));
        } catch (IllegalArgumentException e) {
            logged(ctx, answer, 500, body.length, error(ctx, 500, "cannot send the outputs as binary data: " + e.getMessage()),
                    started);
            return;
        }
        if (binary.isEmpty()) {
            logged(ctx, answer, 200, body.length, json(ctx, 200, response), started);
            return;
        }
        try {
            byte[] header = JSON.writeValueAsBytes(response);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(header.length + 1024);
            out.writeBytes(header);
            binary.forEach(out::writeBytes);
            ctx.header(HEADER_LENGTH, String.valueOf(header.length));
            byte[] all = out.toByteArray();
            ctx.status(200).contentType("application/octet-stream").result(all);
            logged(ctx, answer, 200, body.length, all.length, started);
        } catch (IOException e) {
            logged(ctx, answer, 500, body.length, error(ctx, 500, "cannot encode the response"), started);
        }
    }

    /** Counts and logs an inference refused before it reached the service (when it names a model). */
    private void refused(Context ctx, int status, long bytesIn, int bytesOut, long started) {
        service.refusedBeforeRouting(io.modelserve.agent.access.AccessLine.Protocol.OIP, ctx.path(), ctx.pathParam("model"),
                status, bytesIn, bytesOut, started);
    }

    /** Logs an inference that reached its model (when the model's {@code access_log} is on). */
    private void logged(Context ctx, OpenInferenceService.Answer answer, int status, long bytesIn, long bytesOut, long started) {
        OpenInferenceService.Ran ran = answer.ran();
        if (ran != null) {
            service.access().record(io.modelserve.agent.access.AccessLine.Protocol.OIP, ctx.path(), ran.spec(),
                    ran.versionChosen(), ran.outcome(), status, bytesIn, bytesOut, started);
        }
    }

    /** @return the bytes of the answer */
    private static int answer(Context ctx, OpenInferenceService.Answer answer) {
        if (answer.retryAfterSeconds() > 0 && answer.status() == 503) {
            ctx.header("Retry-After", String.valueOf(answer.retryAfterSeconds()));
        }
        return json(ctx, answer.status(), answer.body());
    }

    private static int json(Context ctx, int status, Object body) {
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            ctx.status(status).contentType("application/json").result(json);
            return json.length;
        } catch (IOException e) {
            ctx.status(500).contentType("application/json").result("{\"error\":\"cannot encode the response\"}");
            return 0;
        }
    }

    private static int error(Context ctx, int status, String message) {
        return json(ctx, status, Map.of(OpenInference.ERROR, message));
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
