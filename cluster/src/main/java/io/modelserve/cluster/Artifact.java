package io.modelserve.cluster;

import java.util.Objects;

/**
 * A file a replica needs (a plugin jar or a model file), named by content so a node can cache it,
 * verify it on arrival, and tell a changed file from an unchanged one.
 *
 * @param name       path relative to its root ({@code algopkg/} or {@code Model_ZOO/}), '/'-separated
 * @param sha256     lowercase hex digest of the content
 * @param size       bytes
 * @param sourcePath absolute path on the head that read it; other nodes fetch by digest instead
 */
public record Artifact(String name, String sha256, long size, String sourcePath) {
    public Artifact {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(sourcePath, "sourcePath");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256 digest: " + sha256);
        }
    }

    /** The file name without directories, as a plugin would expect to see it. */
    public String fileName() {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }
}
