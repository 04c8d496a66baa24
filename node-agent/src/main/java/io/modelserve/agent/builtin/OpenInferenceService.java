package io.modelserve.agent.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.agent.http.RequestLog;
import io.modelserve.agent.routing.Outcome;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.routing.TrafficSplit;
import io.modelserve.agent.runtime.JsonRequest;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.PooledJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Open Inference Protocol's calls, whatever they came in by (REST or gRPC): which model and
 * version a call names, routing it as a route's request is routed (the traffic split when no version
 * is named, the version when one is; a canary {@code <Model>@<label>} is version {@code <label>} of
 * {@code <Model>}), and counting it in {@code modelserve.requests}. Answers are values: a status and
 * a JSON body, the protocol's {@code {"error": "..."}} when it failed.
 */
public final class OpenInferenceService {
    private static final ObjectMapper JSON = PooledJson.mapper();
    private static final byte[] NO_BODY = new byte[0];

    private final RouteTable routes;
    private final ReplicaRouter router;
    private final RequestLog requests;
    /** The last metadata a replica gave per deployment version, so metadata answers while none is ready. */
    private final Map<String, JsonNode> metadataSeen = new ConcurrentHashMap<>();

    private final ModelFileMetadata modelFiles;
    private final io.modelserve.agent.access.AccessLog access;

    /** Metadata without a ready replica comes from what replicas answered before. */
    public OpenInferenceService(RouteTable routes, ReplicaRouter router, RequestLog requests) {
        this(routes, router, requests, null, List.of());
    }

    /**
     * @param artifactCache the node's artifact cache, where a model file it ran before is
     * @param servedDirs    directories the node may read model files from (a head's Model_ZOO)
     */
    public OpenInferenceService(RouteTable routes, ReplicaRouter router, RequestLog requests,
            java.nio.file.Path artifactCache, List<java.nio.file.Path> servedDirs) {
        this(routes, router, requests, artifactCache, servedDirs, io.modelserve.agent.access.AccessLog.OFF);
    }

    /** @param access where the REST and gRPC front ends log each inference (when its {@code access_log} is on) */
    public OpenInferenceService(RouteTable routes, ReplicaRouter router, RequestLog requests,
            java.nio.file.Path artifactCache, List<java.nio.file.Path> servedDirs, io.modelserve.agent.access.AccessLog access) {
        this.access = access;
        this.routes = routes;
        this.router = router;
        this.requests = requests;
        this.modelFiles = artifactCache == null ? null : new ModelFileMetadata(artifactCache, servedDirs);
    }

    /**
     * A status, a JSON body, and for 503 when to try again.
     *
     * @param ran for an inference: the version it went to and what answered it; null otherwise
     */
    public record Answer(int status, JsonNode body, int retryAfterSeconds, Ran ran) {
        public Answer(int status, JsonNode body, int retryAfterSeconds) {
            this(status, body, retryAfterSeconds, null);
        }

        Answer ran(Ran how) {
            return new Answer(status, body, retryAfterSeconds, how);
        }

        static Answer ok(Object body) {
            return new Answer(200, JSON.valueToTree(body), 0);
        }

        static Answer failed(int status, String message) {
            return failed(status, message, 0);
        }

        static Answer failed(int status, String message, int retryAfterSeconds) {
            return new Answer(status, JSON.createObjectNode().put(OpenInference.ERROR, message), retryAfterSeconds);
        }

        public boolean isOk() {
            return status == 200;
        }

        public String error() {
            return body.path(OpenInference.ERROR).asText("");
        }
    }

    /**
     * Where an inference went, for the access log.
     *
     * @param spec   the version it went to (its deployment when it was refused before one was chosen)
     * @param outcome how it ended; null when it was refused before it reached the router
     */
    public record Ran(DeploymentSpec spec, boolean versionChosen, Outcome outcome) {}

    /**
     * Counts and logs an inference refused before it could be routed (its body over a limit, not
     * JSON, malformed binary tensors): the request metrics and the access log of the model it named,
     * if there is one, see every call as they see a route's.
     */
    public void refusedBeforeRouting(io.modelserve.agent.access.AccessLine.Protocol protocol, String route, String model,
            int status, long bytesIn, long bytesOut, long startedNanos) {
        routes.forDeployment(model).ifPresent(spec -> {
            requests.record(spec, null, status, startedNanos);
            access.record(protocol, route, spec, false, null, status, bytesIn, bytesOut, startedNanos);
        });
    }

    /** Where the front ends log an inference they answered. */
    public io.modelserve.agent.access.AccessLog access() {
        return access;
    }

    public Map<String, Object> serverMetadata() {
        return Map.of("name", "modelserve", "version", "2", "extensions", List.of("binary_tensor_data"));
    }

    /** Ready when every built-in deployment has a replica ready somewhere in the cluster. */
    public Answer serverReady() {
        List<String> waiting = routes.deployments().stream().filter(DeploymentSpec::isBuiltin)
                .filter(spec -> spec.replicas() > 0 && !router.hasReady(spec.name())).map(DeploymentSpec::name)
                .sorted().toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", waiting.isEmpty());
        if (!waiting.isEmpty()) {
            body.put("waiting_for", waiting);
        }
        return new Answer(waiting.isEmpty() ? 200 : 503, JSON.valueToTree(body), 0);
    }

    /** 200 when ready, 503 when not (the body says which), 404 for an unknown model or version. */
    public Answer modelReady(String model, String version) {
        return switch (resolve(model, version, false)) {
            case Unknown unknown -> Answer.failed(404, unknown.message());
            case Version found -> {
                boolean ready = router.hasReady(found.spec().name());
                if (ready && !found.spec().isBuiltin()) {
                    // A plugin is a model only if it declares a signature: its metadata says so.
                    Answer metadata = modelMetadata(model, version);
                    if (metadata.status() == 404) {
                        yield metadata;
                    }
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", found.main().name());
                body.put("version", found.spec().label());
                body.put("ready", ready);
                yield new Answer(ready ? 200 : 503, JSON.valueToTree(body), ready ? 0 : 1);
            }
        };
    }

    /**
     * The model's name, versions, platform, inputs and outputs. Inputs and outputs come from the model
     * file: a ready replica's answer; while none is ready, the last one a replica gave for this
     * version, else the spec's model file read here if this node has it (its artifact cache, a
     * head's Model_ZOO), else empty lists.
     */
    public Answer modelMetadata(String model, String version) {
        Resolved resolved = resolve(model, version, false);
        if (resolved instanceof Unknown unknown) {
            return Answer.failed(404, unknown.message());
        }
        Version found = (Version) resolved;
        String key = found.spec().name() + "/" + found.spec().version();
        JsonNode metadata = null;
        if (router.hasReady(found.spec().name())) {
            Outcome outcome = router.dispatch(found.spec(), new JsonRequest(JSON.createObjectNode(), NO_BODY,
                    OpenInference.METADATA_TYPE));
            if (outcome instanceof Outcome.Served served && notTensorModel(tree(served.result())) != null) {
                return Answer.failed(404, notTensorModel(tree(served.result())) + "; call its route /" + found.main().route());
            }
            if (outcome instanceof Outcome.Served served && !(tree(served.result()).has(OpenInference.ERROR))) {
                metadata = tree(served.result());
                metadataSeen.put(key, metadata);
            }
        }
        if (metadata == null) {
            metadata = metadataSeen.get(key);
        }
        if (metadata == null && !found.spec().isBuiltin()) {
            // A plugin declares its signature in code: only a replica of it can tell.
            return Answer.failed(503, "no replica of " + found.spec().name() + " is ready to declare its tensor signature;"
                    + " try again", 1);
        }
        if (metadata == null && modelFiles != null) {
            metadata = modelFiles.of(found.spec()).<JsonNode>map(JSON::valueToTree).orElse(null);
            if (metadata != null) {
                metadataSeen.put(key, metadata);
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("name", found.main().name());
        answer.set("versions", JSON.valueToTree(versions(found.main())));
        answer.put("platform", metadata != null ? metadata.path("platform").asText("onnxruntime_onnx") : "onnxruntime_onnx");
        answer.set("inputs", metadata != null ? metadata.path("inputs") : JSON.createArrayNode());
        answer.set("outputs", metadata != null ? metadata.path("outputs") : JSON.createArrayNode());
        return new Answer(200, answer, 0);
    }

    /**
     * Runs {@code request} (the JSON form; binary inputs already inlined) on the model. The answer
     * names the model and the version that ran it, and echoes the request's {@code id} as given,
     * string or number.
     */
    public Answer infer(String model, String version, ObjectNode request, long startedNanos) {
        Resolved resolved = resolve(model, version, true);
        if (resolved instanceof Unknown unknown) {
            return Answer.failed(404, unknown.message());
        }
        Version found = (Version) resolved;
        JsonNode id = request.get("id");
        if (id != null && !id.isTextual() && !id.isNumber()) {
            return counted(found.spec(), false, null, startedNanos, Answer.failed(400, "\"id\" must be a string or a number, got " + id));
        }
        JsonNode parameters = request.get("parameters");
        if (parameters != null && !parameters.isObject()) {
            return counted(found.spec(), false, null, startedNanos,
                    Answer.failed(400, "\"parameters\" must be an object, got " + parameters));
        }
        Outcome outcome = router.dispatch(found.spec(), new JsonRequest(request, NO_BODY, OpenInference.INFER_TYPE),
                found.fallback());
        return switch (outcome) {
            case Outcome.Refused refused -> counted(found.spec(), true, refused, startedNanos,
                    Answer.failed(refused.status(), refused.message(), refused.retryAfterSeconds()));
            case Outcome.Served served -> {
                JsonNode result = tree(served.result());
                if (notTensorModel(result) != null) {
                    yield counted(found.spec(), true, served, startedNanos, Answer.failed(404, notTensorModel(result)
                            + "; call its route /" + found.main().route()));
                }
                if (!(result instanceof ObjectNode answer) || result.path(OpenInference.ERROR).isTextual()) {
                    String message = result.path(OpenInference.ERROR).asText("the model gave no tensors");
                    yield counted(found.spec(), true, served, startedNanos, Answer.failed(400, message));
                }
                // The replica names its deployment: <Model>@<label> when a canary ran it.
                String ran = answer.path("model_name").asText(found.spec().name());
                DeploymentSpec ranSpec = routes.forDeployment(ran).orElse(found.spec());
                ObjectNode named = JSON.createObjectNode();
                named.put("model_name", found.main().name());
                named.put("model_version", ranSpec.label());
                if (id != null) {
                    named.set("id", id);
                }
                if (answer.path("parameters").isObject()) {
                    named.set("parameters", answer.get("parameters"));
                }
                named.set("outputs", answer.path("outputs"));
                yield counted(ranSpec, true, served, startedNanos, new Answer(200, named, 0));
            }
        };
    }

    private Answer counted(DeploymentSpec spec, boolean versionChosen, Outcome outcome, long startedNanos, Answer answer) {
        requests.record(spec, outcome == null ? null : outcome.replicaId(), answer.status(), startedNanos);
        return answer.ran(new Ran(spec, versionChosen, outcome));
    }

    /** The message of a plugin's answer that it declares no tensor signature, else null. */
    private static String notTensorModel(JsonNode result) {
        return result.has(PluginTensorCalls.NOT_TENSOR_MODEL) ? result.path(OpenInference.ERROR).asText() : null;
    }

    private static JsonNode tree(Object result) {
        return result instanceof JsonNode node ? node : JSON.valueToTree(result);
    }

    /** "main" and the labels of the model's canaries. */
    public List<String> versions(DeploymentSpec main) {
        List<String> labels = new ArrayList<>();
        labels.add(DeploymentSpec.MAIN_LABEL);
        routes.canariesOf(main.name()).forEach(canary -> labels.add(canary.label()));
        return labels;
    }

    /** A model named in a call, as one version of it, or why there is none. */
    sealed interface Resolved permits Version, Unknown {}

    /** @param fallback the main deployment when a traffic split chose a canary, else null */
    record Version(DeploymentSpec main, DeploymentSpec spec, DeploymentSpec fallback) implements Resolved {}

    record Unknown(String message) implements Resolved {}

    /**
     * @param version  "main", a canary's label, or empty/null for the model's traffic split
     * @param split    roll the split for a call with no version (infer); else the main version
     */
    Resolved resolve(String model, String version, boolean split) {
        DeploymentSpec main = routes.forDeployment(model).orElse(null);
        if (main == null) {
            return new Unknown("unknown model '" + model + "'; models are deployment names (a builtin: backend, or a plugin"
                    + " that implements io.modelserve.sdk.TensorModel)");
        }
        if (main.isCanary()) {
            return new Unknown("'" + model + "' is version " + main.label() + " of model " + main.mainName()
                    + ": /v2/models/" + main.mainName() + "/versions/" + main.label());
        }
        if (version != null && !version.isEmpty()) {
            return routes.version(main, version).<Resolved>map(spec -> new Version(main, spec, null))
                    .orElseGet(() -> new Unknown("model '" + model + "' has no version '" + version + "'; versions: "
                            + String.join(", ", versions(main))));
        }
        List<DeploymentSpec> canaries = routes.canariesOf(main.name());
        if (!split || canaries.isEmpty()) {
            return new Version(main, main, null);
        }
        DeploymentSpec chosen = TrafficSplit.choose(main, canaries, spec -> router.hasReady(spec.name()),
                ThreadLocalRandom.current().nextInt(10_000));
        return new Version(main, chosen, chosen == main ? null : main);
    }
}
