package io.modelserve.agent.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.modelserve.agent.builtin.BinaryTensors;
import io.modelserve.agent.builtin.OpenInferenceService;
import io.modelserve.agent.grpc.v2.ModelInferRequest;
import io.modelserve.agent.grpc.v2.ModelInferResponse;
import io.modelserve.agent.grpc.v2.ModelMetadataRequest;
import io.modelserve.agent.grpc.v2.ModelMetadataResponse;
import io.modelserve.agent.grpc.v2.ModelReadyRequest;
import io.modelserve.agent.grpc.v2.ModelReadyResponse;
import io.modelserve.agent.grpc.v2.ServerLiveRequest;
import io.modelserve.agent.grpc.v2.ServerLiveResponse;
import io.modelserve.agent.grpc.v2.ServerMetadataRequest;
import io.modelserve.agent.grpc.v2.ServerMetadataResponse;
import io.modelserve.agent.grpc.v2.ServerReadyRequest;
import io.modelserve.agent.grpc.v2.ServerReadyResponse;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import java.util.List;
import java.util.Map;

/**
 * The gRPC calls, translated to and from {@link OpenInferenceService}: the same routing, traffic
 * split, version pinning, metrics and body limits as REST ({@code max_body_bytes} per message, the
 * node's in-flight budget while it is served). HTTP statuses become the gRPC codes clients expect:
 * 400 INVALID_ARGUMENT, 404 NOT_FOUND, 413 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED.
 */
final class GrpcInference implements InferenceServiceBinding.Calls {
    private final OpenInferenceService service;
    private final RequestBodies bodies;

    GrpcInference(OpenInferenceService service, RequestBodies bodies) {
        this.service = service;
        this.bodies = bodies;
    }

    @Override
    public ServerLiveResponse serverLive(ServerLiveRequest request) {
        return ServerLiveResponse.newBuilder().setLive(true).build();
    }

    @Override
    public ServerReadyResponse serverReady(ServerReadyRequest request) {
        return ServerReadyResponse.newBuilder().setReady(service.serverReady().isOk()).build();
    }

    @Override
    public ModelReadyResponse modelReady(ModelReadyRequest request) {
        OpenInferenceService.Answer answer = service.modelReady(request.getName(), request.getVersion());
        if (answer.status() == 404) {
            throw failure(answer);
        }
        return ModelReadyResponse.newBuilder().setReady(answer.body().path("ready").asBoolean()).build();
    }

    @Override
    public ServerMetadataResponse serverMetadata(ServerMetadataRequest request) {
        Map<String, Object> metadata = service.serverMetadata();
        @SuppressWarnings("unchecked")
        List<String> extensions = (List<String>) metadata.get("extensions");
        return ServerMetadataResponse.newBuilder().setName(String.valueOf(metadata.get("name")))
                .setVersion(String.valueOf(metadata.get("version"))).addAllExtensions(extensions).build();
    }

    @Override
    public ModelMetadataResponse modelMetadata(ModelMetadataRequest request) {
        OpenInferenceService.Answer answer = service.modelMetadata(request.getName(), request.getVersion());
        if (!answer.isOk()) {
            throw failure(answer);
        }
        JsonNode body = answer.body();
        ModelMetadataResponse.Builder response = ModelMetadataResponse.newBuilder()
                .setName(body.path("name").asText()).setPlatform(body.path("platform").asText());
        body.path("versions").forEach(version -> response.addVersions(version.asText()));
        body.path("inputs").forEach(tensor -> response.addInputs(tensor(tensor)));
        body.path("outputs").forEach(tensor -> response.addOutputs(tensor(tensor)));
        return response.build();
    }

    private static ModelMetadataResponse.TensorMetadata tensor(JsonNode json) {
        ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(json.path("name").asText()).setDatatype(json.path("datatype").asText());
        json.path("shape").forEach(dimension -> tensor.addShape(dimension.asLong()));
        return tensor.build();
    }

    @Override
    public ModelInferResponse modelInfer(ModelInferRequest request) {
        long started = System.nanoTime();
        int size = request.getSerializedSize();
        if (size > bodies.maxBodyBytes()) {
            refused(request, 413, size, started);
            throw Status.RESOURCE_EXHAUSTED.withDescription("the request is " + size + " bytes; max_body_bytes is "
                    + bodies.maxBodyBytes()).asRuntimeException();
        }
        // gRPC has read the message already; charged now, it still counts against what the node may
        // hold while the call is served, as a REST body does.
        try (InflightBudget.Reservation reservation = bodies.reserve()) {
            if (!reservation.grow(size)) {
                refused(request, 503, size, started);
                throw Status.UNAVAILABLE.withDescription("this node holds as many request bytes as it may; try again")
                        .asRuntimeException();
            }
            GrpcTensors.JsonForm form;
            try {
                form = GrpcTensors.request(request);
            } catch (IllegalArgumentException e) {
                refused(request, 400, size, started);
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
            String problem = BinaryTensors.inline(form.request(), form.binary());
            if (problem != null) {
                refused(request, 400, size, started);
                throw Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException();
            }
            OpenInferenceService.Answer answer = service.infer(request.getModelName(), request.getModelVersion(),
                    form.request(), started);
            if (!answer.isOk()) {
                logged(request, answer, answer.status(), size, 0, started);
                throw failure(answer);
            }
            ModelInferResponse response = GrpcTensors.response(answer.body());
            logged(request, answer, 200, size, response.getSerializedSize(), started);
            return response;
        }
    }

    /** Logs a call that reached its model (when the model's {@code access_log} is on); its route is the gRPC method. */
    private void logged(ModelInferRequest request, OpenInferenceService.Answer answer, int status, long bytesIn, long bytesOut,
            long started) {
        OpenInferenceService.Ran ran = answer.ran();
        if (ran != null) {
            service.access().record(io.modelserve.agent.access.AccessLine.Protocol.GRPC, ROUTE, ran.spec(), ran.versionChosen(),
                    ran.outcome(), status, bytesIn, bytesOut, started);
        }
    }

    /** Counts and logs a call refused before it reached the service (its HTTP equivalent as status). */
    private void refused(ModelInferRequest request, int status, long bytesIn, long started) {
        service.refusedBeforeRouting(io.modelserve.agent.access.AccessLine.Protocol.GRPC, ROUTE, request.getModelName(), status,
                bytesIn, 0, started);
    }

    private static final String ROUTE = "/inference.GRPCInferenceService/ModelInfer";

    static StatusRuntimeException failure(OpenInferenceService.Answer answer) {
        Status status = switch (answer.status()) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 404 -> Status.NOT_FOUND;
            case 405 -> Status.UNIMPLEMENTED;
            case 413 -> Status.RESOURCE_EXHAUSTED;
            case 503 -> Status.UNAVAILABLE;
            case 504 -> Status.DEADLINE_EXCEEDED;
            default -> Status.INTERNAL;
        };
        return status.withDescription(answer.error()).asRuntimeException();
    }
}
