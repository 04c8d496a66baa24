package io.modelserve.controller.dashboard;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a line log back as its writer appends to it: the last lines, or what was added after an
 * offset, so a follower sees each line once. Only whole lines: a line still being written waits for
 * the next call. Shared by the replicas' logs and the request (access) logs.
 */
final class LogTail {
    /** At most this many bytes are read per call; a follower that fell further behind skips ahead. */
    static final int MAX_READ_BYTES = 256 * 1024;
    static final int MAX_LINES = 2_000;

    /** Whole lines, the offset to ask from next time, whether the file exists, whether lines were skipped. */
    record Tail(List<String> lines, long offset, boolean exists, boolean skipped) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private LogTail() {}

    /** A replica id or deployment name that is safe as a file name in a log directory (no path, no "..") */
    static boolean isFileName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    /**
     * @param from  byte offset returned by an earlier call, or a negative number for the tail
     * @param lines how many lines the tail has (ignored when following from an offset)
     */
    static Tail read(Path file, long from, int lines) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new Tail(List.of(), 0, false, false);
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            boolean tail = from < 0 || from > size; // beyond the end: the file rolled over, start again
            long start = tail ? Math.max(0, size - MAX_READ_BYTES) : Math.max(from, size - MAX_READ_BYTES);
            boolean skipped = !tail && start > from;
            byte[] bytes = new byte[(int) (size - start)];
            in.seek(start);
            in.readFully(bytes);
            int end = lastNewline(bytes) + 1;
            String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(List.of(text.split("\n", -1)));
            all.removeLast(); // what follows the last newline: nothing
            if (tail && start > 0 && !all.isEmpty()) {
                all.removeFirst(); // cut by the read window
            }
            int keep = tail ? Math.clamp(lines, 0, MAX_LINES) : MAX_LINES;
            List<String> kept = all.size() > keep ? all.subList(all.size() - keep, all.size()) : all;
            skipped |= !tail && kept.size() < all.size();
            return new Tail(List.copyOf(kept), start + end, true, skipped);
        }
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
