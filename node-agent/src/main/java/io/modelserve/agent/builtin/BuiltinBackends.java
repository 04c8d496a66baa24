package io.modelserve.agent.builtin;

import io.modelserve.sdk.AlgoBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backends served with {@code backend = builtin:<name>}, no plugin needed: each with the plain keys
 * it accepts in its section (checked by conf.ini validation like every other key) and how to make one.
 */
public final class BuiltinBackends {

    /** One built-in backend: its name, its keys, and a factory taking the section's values of those keys. */
    public record Builtin(String name, String description, List<BuiltinOption> options,
            java.util.function.BiFunction<Map<String, String>, OnnxDevices, AlgoBackend> factory) {
        public Builtin {
            options = List.copyOf(options);
        }
    }

    private static final BuiltinOption THREADS = BuiltinOption.of("threads",
            "ONNX Runtime intra-op threads per replica (default: one per core)", BuiltinOptionChecks::threads);

    private final Map<String, Builtin> byName = new LinkedHashMap<>();
    private final OnnxDevices devices;

    private BuiltinBackends(List<Builtin> builtins, OnnxDevices devices) {
        builtins.forEach(builtin -> byName.put(builtin.name(), builtin));
        this.devices = devices;
    }

    /** The backends a node serves, for the schema of conf.ini validation. */
    public static BuiltinBackends standard() {
        return standard(OnnxDevices.REAL);
    }

    /** The backends this node serves, opening sessions on {@code devices}. */
    public static BuiltinBackends standard(OnnxDevices devices) {
        return new BuiltinBackends(List.of(
                new Builtin(OnnxBackend.NAME, "any ONNX model: raw tensors in and out (Open Inference Protocol JSON)",
                        List.of(THREADS), OnnxBackend::new),
                new Builtin(ImageClassifierBackend.NAME, "an image classifier: JPEG/PNG in, top-N classes out",
                        List.of(THREADS,
                                BuiltinOption.of("input_size", "<height>x<width> the model takes (default: from the model)",
                                        BuiltinOptionChecks::size),
                                BuiltinOption.of("resize", "stretch (default) or pad (keep aspect ratio, pad right)",
                                        BuiltinOptionChecks.oneOf("stretch", "pad")),
                                BuiltinOption.of("mean", "per-channel mean of pixels scaled to 0..1 (default 0,0,0)",
                                        BuiltinOptionChecks::triple),
                                BuiltinOption.of("std", "per-channel std of pixels scaled to 0..1 (default 1,1,1)",
                                        BuiltinOptionChecks::positiveTriple),
                                BuiltinOption.of("channel_order", "RGB (default) or BGR", BuiltinOptionChecks.oneOf("RGB", "BGR")),
                                BuiltinOption.of("layout", "NCHW or NHWC (default: from the model's input shape)",
                                        BuiltinOptionChecks.oneOf("NCHW", "NHWC")),
                                BuiltinOption.of("filter", "topN(k): the k best classes (default topN(5))",
                                        BuiltinOptionChecks::topN),
                                BuiltinOption.of("softmax", "auto (default: unless scores already sum to 1), true, false",
                                        BuiltinOptionChecks.oneOf("auto", "true", "false")),
                                BuiltinOption.file("labels", "a Model_ZOO text file, one label per line, line i = class i")),
                        ImageClassifierBackend::new),
                new Builtin(TextEmbeddingBackend.NAME, "a sentence encoder (.onnx) + tokenizer (.json): unit vectors",
                        List.of(THREADS), TextEmbeddingBackend::new)), devices);
    }

    public List<Builtin> all() {
        return List.copyOf(byName.values());
    }

    public Optional<Builtin> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * A new backend for {@code backend = builtin:<name>}, not yet initialised.
     *
     * @param options the section's values of the builtin's keys, already validated
     * @throws IllegalArgumentException for a name this node does not serve
     */
    public AlgoBackend create(String backend, Map<String, String> options) {
        String name = backend.startsWith("builtin:") ? backend.substring("builtin:".length()) : backend;
        Builtin builtin = byName.get(name);
        if (builtin == null) {
            throw new IllegalArgumentException("backend " + backend + " is not served by this node; built-in backends: "
                    + String.join(", ", byName.keySet()));
        }
        return builtin.factory().apply(options, devices);
    }
}
