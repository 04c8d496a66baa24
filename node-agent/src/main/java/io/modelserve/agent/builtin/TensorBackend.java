package io.modelserve.agent.builtin;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the built-in backends over one ONNX model share: loading it, answering Open Inference Protocol
 * calls (metadata, tensors in and out), and running many tensor requests as one batch. A subclass
 * adds how it answers requests to its own route.
 */
abstract class TensorBackend implements AlgoBackend {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TensorBackend.class);
    protected final Map<String, String> options;
    private final OnnxDevices devices;
    protected String deployment;
    protected OnnxModel model;

    TensorBackend(Map<String, String> options, OnnxDevices devices) {
        this.options = Map.copyOf(options);
        this.devices = devices;
    }

    @Override
    public void init(BackendContext context) throws Exception {
        deployment = context.deployment();
        java.nio.file.Path file = ModelFiles.single(context.modelPaths(), ".onnx", builtinName());
        try {
            model = OnnxModel.load(file, ModelFiles.engineOptions(options), devices.djl(context.device()));
        } catch (Exception e) {
            throw devices.unopened(builtinName(), context.device(), e);
        }
        if (context.device().isGpu()) {
            log.info("{}: {} session on CUDA device {} ({})", deployment, builtinName(), context.device().index(), context.device());
        }
    }

    /** "builtin:onnx" etc., for messages. */
    abstract String builtinName();

    /** Answers requests to the deployment's own route, one result (or Throwable) per request. */
    abstract List<Object> serveRoute(List<Request> requests);

    @Override
    public Object inference(Request request) throws Exception {
        Object result = inferenceBatch(List.of(request)).getFirst();
        if (result instanceof Exception e) {
            throw e;
        }
        return result;
    }

    @Override
    public List<Object> inferenceBatch(List<Request> batch) {
        Object[] results = new Object[batch.size()];
        List<Integer> tensorSlots = new ArrayList<>();
        List<OpenInference.Inputs> tensorCalls = new ArrayList<>();
        List<Integer> routeSlots = new ArrayList<>();
        List<Request> routeCalls = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            Request request = batch.get(i);
            if (OpenInference.isMetadata(request)) {
                results[i] = OpenInference.metadata(deployment, model.signature());
            } else if (OpenInference.isInfer(request)) {
                switch (OpenInference.decode(request.params(), model.signature())) {
                    case OpenInference.Invalid invalid -> results[i] = OpenInference.error(invalid.message());
                    case OpenInference.Inputs inputs -> {
                        tensorSlots.add(i);
                        tensorCalls.add(inputs);
                    }
                }
            } else {
                routeSlots.add(i);
                routeCalls.add(request);
            }
        }
        List<Object> tensorResults = runAll(tensorCalls);
        for (int k = 0; k < tensorSlots.size(); k++) {
            Object outputs = tensorResults.get(k);
            results[tensorSlots.get(k)] = outputs instanceof Throwable failure ? refused(tensorCalls.get(k), failure)
                    : OpenInference.response(deployment, tensorCalls.get(k), castTensors(outputs));
        }
        if (!routeCalls.isEmpty()) {
            List<Object> routeResults = serveRoute(routeCalls);
            for (int k = 0; k < routeSlots.size(); k++) {
                results[routeSlots.get(k)] = routeResults.get(k);
            }
        }
        return Arrays.asList(results);
    }

    /**
     * A v2 call whose inputs matched the signature but that ONNX Runtime refused to run (shapes that
     * do not fit the graph) is the caller's to fix: a 400 naming the inputs, not the engine's text,
     * which the replica's log keeps. Any other failure stays the model's (500).
     */
    private Object refused(OpenInference.Inputs call, Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ai.onnxruntime.OrtException || cause.getClass().getName().startsWith("ai.onnxruntime")) {
                log.warn("{}: ONNX Runtime refused a v2 call's inputs: {}", deployment, cause.getMessage());
                return OpenInference.error("the model cannot run these inputs ("
                        + call.inputs().stream().map(t -> t.name() + " " + t.type() + " " + OpenInference.shapeText(t.shape()))
                                .collect(java.util.stream.Collectors.joining(", "))
                        + "): they match the model's signature, but not its graph; see GET /v2/models/" + deployment);
            }
        }
        return failure;
    }

    @SuppressWarnings("unchecked")
    static List<Tensor> castTensors(Object outputs) {
        return (List<Tensor>) outputs;
    }

    /**
     * The outputs of each call (a {@code List<Tensor>}), or the Throwable it failed with. Calls whose
     * inputs agree beyond the first dimension are stacked along it and run once, when the model leaves
     * that dimension free; otherwise, or when the stacked run fails, each runs alone, so one bad call
     * cannot fail the others.
     */
    List<Object> runAll(List<OpenInference.Inputs> calls) {
        if (calls.size() > 1 && stackable(calls)) {
            try {
                List<Object> split = runStacked(calls);
                if (split != null) {
                    return split;
                }
            } catch (Exception | LinkageError e) {
                // Fall through: each call alone tells which one the model cannot take.
            }
        }
        List<Object> results = new ArrayList<>(calls.size());
        for (OpenInference.Inputs call : calls) {
            try {
                results.add(model.run(call.inputs()));
            } catch (Exception e) {
                results.add(e);
            }
        }
        return results;
    }

    private boolean stackable(List<OpenInference.Inputs> calls) {
        List<TensorSignature> inputs = model.signature().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).batchable()) {
                return false;
            }
            long[] first = calls.getFirst().inputs().get(i).shape();
            for (OpenInference.Inputs call : calls) {
                long[] shape = call.inputs().get(i).shape();
                if (!Arrays.equals(shape, 1, shape.length, first, 1, first.length)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Null when an output does not have one row per input row (then the rows cannot be told apart). */
    private List<Object> runStacked(List<OpenInference.Inputs> calls) throws Exception {
        int inputCount = model.signature().inputs().size();
        List<Tensor> stacked = new ArrayList<>(inputCount);
        for (int i = 0; i < inputCount; i++) {
            List<Tensor> parts = new ArrayList<>(calls.size());
            for (OpenInference.Inputs call : calls) {
                parts.add(call.inputs().get(i));
            }
            stacked.add(Tensor.concat(parts));
        }
        long rows = stacked.getFirst().shape()[0];
        List<Tensor> outputs = model.run(stacked);
        for (Tensor output : outputs) {
            if (output.shape().length == 0 || output.shape()[0] != rows) {
                return null;
            }
        }
        List<Object> results = new ArrayList<>(calls.size());
        long from = 0;
        for (OpenInference.Inputs call : calls) {
            long count = call.inputs().getFirst().shape()[0];
            List<Tensor> mine = new ArrayList<>(outputs.size());
            for (Tensor output : outputs) {
                mine.add(output.rows(from, count));
            }
            results.add(mine);
            from += count;
        }
        return results;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}
