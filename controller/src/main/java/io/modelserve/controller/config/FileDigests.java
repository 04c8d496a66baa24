package io.modelserve.controller.config;

import io.modelserve.cluster.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SHA-256 of plugin jars and model files, remembered per path while size and modification time stay
 * the same: every apply digests every file, and re-reading an unchanged multi-megabyte model each time
 * is wasted work. One entry per path, so replaced files do not pile up. Thread-safe.
 */
public final class FileDigests {

    private record Stamp(long size, FileTime lastModified) {}

    private record Digest(Stamp stamp, String sha256) {}

    private final ConcurrentHashMap<Path, Digest> cache = new ConcurrentHashMap<>();
    private final AtomicLong filesRead = new AtomicLong();

    /** An artifact for {@code file}, named {@code name}; reads the file only when it changed. */
    public Artifact artifact(String name, Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Stamp before = stamp(absolute);
        Digest cached = cache.get(absolute);
        if (cached != null && cached.stamp().equals(before)) {
            return new Artifact(name, cached.sha256(), before.size(), absolute.toString());
        }
        String sha256 = sha256(absolute);
        filesRead.incrementAndGet();
        Stamp after = stamp(absolute);
        if (!after.equals(before)) {
            // Written to while we read it: neither the digest nor the size can be trusted.
            throw new IOException("changed while being read; try again once it is fully written");
        }
        cache.put(absolute, new Digest(after, sha256));
        return new Artifact(name, sha256, after.size(), absolute.toString());
    }

    /** How many times a file was actually read and digested, cache misses only. */
    public long filesRead() {
        return filesRead.get();
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.size(), attributes.lastModifiedTime());
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
