package io.modelserve.controller.config;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.Multiplex;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * {@code models = <glob or list under Model_ZOO>} and {@code max_models_per_replica = N}: a section
 * whose replicas serve many models, loaded on demand. A list item with {@code * ? [} is a glob
 * ({@code words/*.txt}); the others name files. Model names (file names less the extension) must be
 * unique, since requests use them.
 */
final class MultiplexKeys {
    static final String MODELS = "models";
    static final String MAX = "max_models_per_replica";
    /** Far more than a replica would hold; a bound on what one apply digests. */
    private static final int MAX_MODELS = 100_000;

    private MultiplexKeys() {}

    /**
     * Empty when the section does not multiplex (or its keys are wrong, which is reported).
     *
     * @param digest digests the files found, reporting failures on the given key
     */
    static Optional<Multiplex> read(SectionValues values, RootDirectory zoo, boolean builtin, boolean wildcardRoute,
            BiFunction<String, List<Path>, List<Artifact>> digest) {
        Optional<String> text = values.value(MODELS).map(String::strip);
        if (text.isEmpty()) {
            if (values.value(MAX).isPresent()) {
                values.error(MAX, MAX + " needs " + MODELS + " = <glob or list under Model_ZOO> in the same section");
            }
            return Optional.empty();
        }
        if (builtin) {
            values.error(MODELS, "a builtin backend cannot multiplex models; use a plugin implementing "
                    + "io.modelserve.sdk.MultiModelBackend");
            return Optional.empty();
        }
        if (wildcardRoute) {
            values.error("route", "a multiplexed section serves <route>/<model> itself; drop the '/*'");
            return Optional.empty();
        }
        if (values.value(MAX).isEmpty()) {
            values.error(MODELS, "required key is missing: " + MAX + " (how many models one replica keeps loaded)");
            return Optional.empty();
        }
        int max = values.wholeNumber(MAX, 1, 1, 10_000);
        List<Path> files = files(values, text.get(), zoo);
        if (files.isEmpty()) {
            return Optional.empty();
        }
        List<Artifact> models = digest.apply(MODELS, files);
        Map<String, String> byName = new HashMap<>();
        for (Artifact model : models) {
            String other = byName.putIfAbsent(Multiplex.nameOf(model), model.name());
            if (other != null) {
                values.error(MODELS, "two models would both be named '" + Multiplex.nameOf(model) + "': " + other
                        + " and " + model.name() + " (a model's name is its file name without the extension)");
                return Optional.empty();
            }
        }
        return Optional.of(new Multiplex(models, max));
    }

    private static List<Path> files(SectionValues values, String text, RootDirectory zoo) {
        TreeSet<Path> files = new TreeSet<>();
        for (String part : text.split(",", -1)) {
            String item = part.strip();
            if (item.isEmpty()) {
                values.error(MODELS, "empty entry in list " + ConfigErrors.quote(text));
                return List.of();
            }
            if (item.chars().anyMatch(c -> c == '*' || c == '?' || c == '[')) {
                List<Path> matched = glob(values, item, zoo);
                if (matched.isEmpty()) {
                    values.error(MODELS, "glob " + ConfigErrors.quote(item) + " matches no file in Model_ZOO " + zoo.path());
                    return List.of();
                }
                files.addAll(matched);
                continue;
            }
            switch (zoo.resolve(item)) {
                case RootDirectory.Rejected rejected -> values.error(MODELS, rejected.reason());
                case RootDirectory.Missing missing -> values.error(MODELS, "model file not found: " + missing.path());
                case RootDirectory.Found found when !Files.isRegularFile(found.path()) ->
                        values.error(MODELS, "not a regular file: " + found.path());
                case RootDirectory.Found found -> files.add(found.path());
            }
        }
        if (files.size() > MAX_MODELS) {
            values.error(MODELS, "matches " + files.size() + " files; at most " + MAX_MODELS);
            return List.of();
        }
        return new ArrayList<>(files);
    }

    /** Regular files under Model_ZOO whose '/'-separated relative name matches, each checked to stay inside it. */
    private static List<Path> glob(SectionValues values, String pattern, RootDirectory zoo) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(zoo.path())) {
            walk.filter(Files::isRegularFile).filter(p -> matcher.matches(zoo.path().relativize(p))).forEach(p -> {
                if (zoo.check(p, "'" + zoo.nameOf(p) + "'") instanceof RootDirectory.Rejected rejected) {
                    values.error(MODELS, rejected.reason());
                } else {
                    found.add(p);
                }
            });
        } catch (IOException | RuntimeException e) {
            values.error(MODELS, "cannot list Model_ZOO " + zoo.path() + ": " + e.getMessage());
        }
        return found;
    }
}
