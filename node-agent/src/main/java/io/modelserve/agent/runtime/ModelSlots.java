package io.modelserve.agent.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelserve.sdk.MultiModelBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The models a multiplexed replica has loaded, least recently used first, at most {@code capacity}.
 * A request for a loaded model is a hit; for another, a miss: the least recently used model is
 * unloaded when the slots are full, then the model is loaded. Only the holder of the replica's turn
 * calls {@link #use} and {@link #unload}, so the plugin's {@code load}/{@code unload} never overlap
 * its {@code inference}; {@link #loaded()} is a snapshot for any thread (status, routing).
 *
 * <p>Counted in the replica's registry: {@code modelserve_model_loads_total{result="hit|miss"}},
 * {@code modelserve_model_evictions_total} and {@code modelserve_model_load_failures_total}.
 */
final class ModelSlots {
    /** What one {@link #use} did. */
    enum Use { HIT, LOADED }

    private final int capacity;
    private final Map<String, Path> files;
    private final Consumer<String> log;
    private final LinkedHashSet<String> lru = new LinkedHashSet<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private final Counter failures;
    private volatile List<String> snapshot = List.of();

    /**
     * @param files the model files by model name, materialised on this node
     * @param log   told each load and eviction, for the replica's log
     */
    ModelSlots(int capacity, Map<String, Path> files, MeterRegistry registry, Consumer<String> log) {
        this.capacity = capacity;
        this.files = Map.copyOf(files);
        this.log = log;
        this.hits = Counter.builder("modelserve.model.loads").tag("result", "hit")
                .description("Requests whose model was loaded on the replica (hit) or had to be loaded (miss)").register(registry);
        this.misses = Counter.builder("modelserve.model.loads").tag("result", "miss")
                .description("Requests whose model was loaded on the replica (hit) or had to be loaded (miss)").register(registry);
        this.evictions = Counter.builder("modelserve.model.evictions")
                .description("Models unloaded to make room for another (least recently used first)").register(registry);
        this.failures = Counter.builder("modelserve.model.load.failures")
                .description("Model loads that threw").register(registry);
    }

    /** Whether {@code model} is one this replica may load. */
    boolean knows(String model) {
        return files.containsKey(model);
    }

    /**
     * Makes {@code model} loaded and most recently used; the caller holds the turn.
     *
     * @param counted whether this is a request's use (counted as hit or miss) or an explicit load
     * @throws Exception what the plugin's {@code load} threw; the model is then not loaded
     */
    Use use(MultiModelBackend backend, String model, boolean counted) throws Exception {
        if (lru.remove(model)) {
            lru.add(model);
            publish();
            if (counted) {
                hits.increment();
            }
            return Use.HIT;
        }
        if (counted) {
            misses.increment();
        }
        while (lru.size() >= capacity) {
            Iterator<String> oldest = lru.iterator();
            String evicted = oldest.next();
            oldest.remove();
            evictions.increment();
            unloadQuietly(backend, evicted);
            log.accept("evicted model " + evicted + " (least recently used) to load " + model);
        }
        try {
            backend.load(model, files.get(model));
        } catch (Exception | LinkageError e) {
            failures.increment();
            publish();
            throw e;
        }
        lru.add(model);
        publish();
        log.accept("loaded model " + model);
        return Use.LOADED;
    }

    /** Unloads {@code model} if it is loaded; the caller holds the turn. Whether it was. */
    boolean unload(MultiModelBackend backend, String model) {
        if (!lru.remove(model)) {
            return false;
        }
        unloadQuietly(backend, model);
        publish();
        log.accept("unloaded model " + model);
        return true;
    }

    /** The loaded models, least recently used first. */
    List<String> loaded() {
        return snapshot;
    }

    private void unloadQuietly(MultiModelBackend backend, String model) {
        try {
            backend.unload(model);
        } catch (Exception | LinkageError e) {
            log.accept("unload of model " + model + " threw " + e + "; counted as unloaded");
        }
    }

    private void publish() {
        snapshot = List.copyOf(new ArrayList<>(lru));
    }
}
