package io.modelserve.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk} (an outside load generator, C and epoll) against a running server, POSTing one body
 * through a Lua script, so a figure does not depend on this project's own load generator.
 */
final class Wrk {
    static final Path BINARY = Path.of(System.getProperty("wrk", "/usr/bin/wrk"));
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P50 = Pattern.compile("\\n\\s+50%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern P99 = Pattern.compile("\\n\\s+99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");

    /** Requests per second, p50 and p99 in ms, and the number of non-2xx answers. */
    record Result(double throughput, double p50, double p99, long errors) {}

    private Wrk() {}

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    static Result post(String host, int port, String path, String contentType, byte[] body, int connections, double seconds)
            throws IOException, InterruptedException {
        Path script = Files.createTempFile("wrk-post", ".lua");
        try {
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"" + contentType + "\"\n"
                    + "wrk.body = [==[" + new String(body, StandardCharsets.UTF_8) + "]==]\n");
            int threads = Math.min(connections, 2);
            List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-t" + threads, "-c" + connections,
                    "-d" + Math.max(1, Math.round(seconds)) + "s", "--latency", "-s", script.toString(),
                    "http://" + host + ":" + port + path));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IOException("wrk failed: " + out);
            }
            Matcher errors = NON_2XX.matcher(out);
            return new Result(number(RATE, out), millis(P50, out), millis(P99, out), errors.find() ? Long.parseLong(errors.group(1)) : 0);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static double number(Pattern pattern, String out) throws IOException {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IOException("no " + pattern + " in wrk's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double millis(Pattern pattern, String out) throws IOException {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IOException("no " + pattern + " in wrk's output:\n" + out);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
