package io.modelserve.cluster;

import java.util.List;
import java.util.Optional;

/**
 * A multiplexed section's models ({@code models =}) and how many one replica keeps loaded
 * ({@code max_models_per_replica =}). A request names one of them; its replica loads it on first use
 * and unloads the least recently used to make room.
 *
 * @param models        the model files under Model_ZOO, each named by {@link #nameOf} (unique in a section)
 * @param maxPerReplica how many models one replica keeps loaded at once, at least 1
 */
public record Multiplex(List<Artifact> models, int maxPerReplica) {
    public Multiplex {
        models = List.copyOf(models);
        if (maxPerReplica < 1) {
            throw new IllegalArgumentException("maxPerReplica must be at least 1, got " + maxPerReplica);
        }
    }

    /** A model's name as requests give it: its file name without the extension ({@code words/w07.txt} -> {@code w07}). */
    public static String nameOf(Artifact model) {
        String file = model.fileName();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    public Optional<Artifact> model(String name) {
        return models.stream().filter(m -> nameOf(m).equals(name)).findFirst();
    }

    public List<String> names() {
        return models.stream().map(Multiplex::nameOf).toList();
    }
}
