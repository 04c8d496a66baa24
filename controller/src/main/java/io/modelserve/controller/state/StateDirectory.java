package io.modelserve.controller.state;

import io.modelserve.cluster.AppliedConfig;
import io.modelserve.cluster.ClusterJson;
import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A head's own record on disk ({@code state_dir}): the config it applied last, with the specs it
 * wrote, and the cluster members it last saw. A head restarted without a standby reads it to continue
 * the generation (when the cluster kept no applied entry) and to find the running cluster to join
 * (when it was the member every other one joined).
 *
 * <p>Every write goes to a temporary file in the same directory and is then moved over the old one,
 * so a head killed mid-write leaves the previous record, never half a file. The files are the
 * owner's only: the applied text names the deployments and the settings carry the token's hash.
 */
public final class StateDirectory {
    static final String APPLIED = "applied.json";
    static final String MEMBERS = "members";

    /** What the head applied last: the applied entry and the deployment entries it wrote with it. */
    public record Saved(AppliedConfig applied, List<DeploymentSpec> deployments) {
        public Saved {
            deployments = List.copyOf(deployments);
        }
    }

    private final Path dir;

    public StateDirectory(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public Path path() {
        return dir;
    }

    /** The last saved record; empty when there is none (a first start) or it cannot be read (said in the log by the caller). */
    public Optional<Saved> load() {
        Path file = dir.resolve(APPLIED);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClusterJson.read(Files.readString(file), Saved.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public void save(Saved saved) {
        write(APPLIED, ClusterJson.write(saved));
    }

    /** Cluster member addresses ("host:port") other than this head, one a line. */
    public List<String> members() {
        Path file = dir.resolve(MEMBERS);
        try {
            return Files.isRegularFile(file)
                    ? Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public void saveMembers(List<String> members) {
        write(MEMBERS, members.isEmpty() ? "" : String.join("\n", members) + "\n");
    }

    private void write(String name, String content) {
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + name + "-", ".tmp");
            try {
                ownerOnly(temp);
                Files.writeString(temp, content, StandardCharsets.UTF_8);
                move(temp, dir.resolve(name));
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory's ACL applies.
        }
    }
}
