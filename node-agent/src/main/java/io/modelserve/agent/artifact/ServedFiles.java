package io.modelserve.agent.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files a node hands out by digest: those in its verified cache ({@code <cache>/<sha256>/<file>})
 * and, on a head, those under its own {@code algopkg_dir} and {@code model_zoo}. A file is found by
 * hashing what is there, never by a path taken from an entry; links are resolved and must stay inside
 * their directory. Digests are remembered by (real path, size, modification time), so a changed file
 * is hashed again and a directory of large models is hashed once.
 */
public final class ServedFiles {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_DEPTH = 8;
    private static final int MAX_FILES = 20_000;

    private final Path cacheRoot;
    private final List<Path> dirs;
    private final Map<Path, Known> digests = new ConcurrentHashMap<>();

    private record Known(long size, long modified, String sha256) {}

    public ServedFiles(Path cacheRoot, List<Path> dirs) {
        this.cacheRoot = cacheRoot;
        this.dirs = List.copyOf(dirs);
    }

    /** The file whose content has digest {@code sha256}, if this node has one. */
    public Optional<Path> find(String sha256) throws IOException {
        if (!SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path cached = cacheRoot.resolve(sha256);
        if (Files.isDirectory(cached, LinkOption.NOFOLLOW_LINKS)) {
            Optional<Path> found = search(cached, cacheRoot, sha256, 1);
            if (found.isPresent()) {
                return found;
            }
        }
        for (Path dir : dirs) {
            Optional<Path> found = search(dir, dir, sha256, MAX_DEPTH);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** Whether {@code file}, links resolved, lies inside one of {@code dirs} (true for an empty list: no restriction). */
    static boolean isUnder(Path file, List<Path> dirs) {
        if (dirs.isEmpty()) {
            return true;
        }
        for (Path dir : dirs) {
            if (inside(file, dir).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private Optional<Path> search(Path start, Path boundary, String sha256, int depth) throws IOException {
        if (!Files.isDirectory(start)) {
            return Optional.empty();
        }
        try (Stream<Path> walk = Files.walk(start, depth)) {
            for (Path candidate : (Iterable<Path>) walk.limit(MAX_FILES)::iterator) {
                Optional<Path> real = inside(candidate, boundary);
                if (real.isPresent() && Files.isRegularFile(real.get()) && sha256.equals(digest(real.get()))) {
                    return real;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> inside(Path file, Path dir) {
        try {
            Path real = file.toRealPath();
            return real.startsWith(dir.toRealPath()) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private String digest(Path real) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
        Known known = digests.get(real);
        long modified = attributes.lastModifiedTime().toMillis();
        if (known != null && known.size() == attributes.size() && known.modified() == modified) {
            return known.sha256();
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(real)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        digests.put(real, new Known(attributes.size(), modified, hex));
        return hex;
    }
}
