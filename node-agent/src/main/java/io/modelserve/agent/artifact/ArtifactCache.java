package io.modelserve.agent.artifact;

import io.modelserve.cluster.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Content-addressed copies of plugin jars and model files: {@code <root>/<sha256>/<file name>}.
 *
 * <p>Replicas load from the cache, never from {@code algopkg/} itself: an operator who copies a new
 * jar over the old one would otherwise pull the file from under running replicas. A file enters the
 * cache only after its digest is verified, so a cached entry is trusted as is after a restart.
 */
public final class ArtifactCache {
    private final Path root;
    private final List<ArtifactSource> remoteSources;
    private final boolean readSourcePaths;
    private final List<Path> localDirs;

    public ArtifactCache(Path root, List<ArtifactSource> remoteSources) {
        this(root, remoteSources, true);
    }

    /**
     * @param readSourcePaths whether this node may copy from the path the head read at apply. True on
     *                        heads; false on agents, which never assume they share the head's disk
     *                        (a same-named path there may hold anything) and fetch by digest instead.
     */
    public ArtifactCache(Path root, List<ArtifactSource> remoteSources, boolean readSourcePaths) {
        this(root, remoteSources, readSourcePaths, List.of());
    }

    /**
     * @param localDirs when not empty, the only directories a source path is read from (a head's
     *                  {@code algopkg_dir} and {@code model_zoo}), checked after resolving links
     */
    public ArtifactCache(Path root, List<ArtifactSource> remoteSources, boolean readSourcePaths, List<Path> localDirs) {
        this.root = root;
        this.remoteSources = List.copyOf(remoteSources);
        this.readSourcePaths = readSourcePaths;
        this.localDirs = List.copyOf(localDirs);
    }

    /** Where a node fetches an artifact it does not have on disk. */
    public interface ArtifactSource {
        /** Opens the content of {@code artifact}, or empty if this source does not have it. */
        Optional<InputStream> open(Artifact artifact) throws IOException;
    }

    /** The cached, verified file for {@code artifact}, copying or fetching it first if needed. */
    public Path materialize(Artifact artifact) throws IOException {
        Path target = root.resolve(artifact.sha256()).resolve(artifact.fileName());
        if (Files.isRegularFile(target) && Files.size(target) == artifact.size()) {
            return target;
        }
        Path source = Path.of(artifact.sourcePath());
        if (readSourcePaths && ServedFiles.isUnder(source, localDirs) && Files.isRegularFile(source) && Files.size(source) == artifact.size()) {
            try (InputStream in = Files.newInputStream(source)) {
                if (store(in, artifact, target)) {
                    return target;
                }
            }
        }
        for (ArtifactSource remote : remoteSources) {
            Optional<InputStream> in = remote.open(artifact);
            if (in.isPresent()) {
                try (InputStream stream = in.get()) {
                    if (store(stream, artifact, target)) {
                        return target;
                    }
                }
            }
        }
        throw new IOException("artifact " + artifact.name() + " (sha256 " + artifact.sha256().substring(0, 12)
                + ") is not available on this node: " + source + " is missing or changed since apply, and no other node has it");
    }

    /** Copies to a temporary file while hashing; moves it into place only if the digest matches. */
    private boolean store(InputStream in, Artifact artifact, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".incoming-", ".part");
        try {
            MessageDigest sha = sha256();
            long copied;
            try (DigestInputStream digesting = new DigestInputStream(in, sha);
                    OutputStream out = Files.newOutputStream(temp)) {
                // Never more than the entry says plus one byte: a peer that streams on is refused, not stored.
                copied = digesting.transferTo(new BoundedOutput(out, artifact.size() + 1));
            } catch (Oversized e) {
                return false;
            }
            if (copied != artifact.size()) {
                return false;
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(artifact.sha256())) {
                return false;
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static final class Oversized extends IOException {
        Oversized() {
            super("artifact larger than announced");
        }
    }

    /** Stops a copy once {@code limit} bytes are written. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new Oversized();
            }
            left -= len;
            out.write(b, off, len);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
