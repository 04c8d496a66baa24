package io.modelserve.sdk;

import java.util.List;
import java.util.Map;

/**
 * A backend that declares a tensor signature. Implementing it is how a plugin says so: its deployment
 * is then also served by the Open Inference Protocol ({@code /v2/models/<name>[/versions/<v>]}:
 * metadata, ready, infer with JSON or binary tensors, and gRPC {@code ModelInfer}) with the
 * deployment's name as the model, routed, versioned and counted like its own route, which is
 * unchanged. Backends that do not implement it are never offered there (the protocol answers 404
 * saying why), and need no change.
 *
 * <p>The platform checks every call against {@link #inputs()} before {@link #infer} sees it (each
 * declared input present, of its datatype, with its rank and fixed dimensions; -1 is free), answering
 * 400 naming the input otherwise, and checks what {@code infer} returns against {@link #outputs()}.
 */
public interface TensorModel extends AlgoBackend {

    /** The inputs every call carries, in order. Read after {@code init}; must not change while the replica runs. */
    List<TensorSpec> inputs();

    /** The outputs every call answers, in order. */
    List<TensorSpec> outputs();

    /**
     * Runs one call: every declared input by name, already checked against its spec. Returns every
     * declared output by name (the platform answers only those the client asked for). Called on the
     * replica's thread, like {@code inference}; calls never overlap. Throw
     * {@link InvalidRequestException} for values the signature cannot rule out (a 400 with its message).
     */
    Map<String, Tensor> infer(Map<String, Tensor> inputs) throws Exception;
}
