package io.modelserve.agent.access;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One client request as the access log writes it: one JSON object on one line, fields in this
 * order. The dashboard reads these lines back per deployment from every node, so the names are a
 * contract (README, Access log).
 *
 * @param deployment the main deployment (the file the line goes to); a canary's requests carry its label in {@code version}
 * @param route      the request's path, as the client sent it
 * @param version    {@code main} or the canary label that served it; null when it was refused before a version was chosen
 * @param replica    the replica that answered; null when none did
 * @param node       the node whose replica ran it (this node when none did)
 * @param status     the HTTP status it was answered with (gRPC: its HTTP equivalent)
 * @param bytesOut   the answer's bytes; -1 when not known (a stream's, counted only to its first chunk)
 * @param queueNanos the replica's queue wait; -1 when no replica ran it (written as null)
 */
public record AccessLine(Instant time, String deployment, String route, Protocol protocol, String version, String replica,
        String node, int status, long bytesIn, long bytesOut, long queueNanos, long computeNanos, long totalNanos) {

    /** How the request came in. */
    public enum Protocol {
        REST, OIP, GRPC, OPENAI, QUEUE;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The line, without its newline. */
    public String toJson() {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"time\":\"").append(TIME.format(time)).append('"');
        out.append(",\"deployment\":");
        string(out, deployment);
        out.append(",\"route\":");
        string(out, route);
        out.append(",\"protocol\":\"").append(protocol.json()).append('"');
        out.append(",\"version\":");
        string(out, version);
        out.append(",\"replica\":");
        string(out, replica);
        out.append(",\"node\":");
        string(out, node);
        out.append(",\"status\":").append(status);
        out.append(",\"bytes_in\":").append(bytesIn);
        out.append(",\"bytes_out\":");
        out.append(bytesOut < 0 ? "null" : String.valueOf(bytesOut));
        out.append(",\"queue_ms\":").append(millis(queueNanos));
        out.append(",\"compute_ms\":").append(millis(computeNanos));
        out.append(",\"total_ms\":").append(millis(totalNanos));
        return out.append('}').toString();
    }

    /** Milliseconds with at most 3 decimals, no exponent, trailing zeros dropped; null when not known. */
    static String millis(long nanos) {
        if (nanos < 0) {
            return "null";
        }
        BigDecimal ms = BigDecimal.valueOf(nanos, 6).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
        return ms.scale() < 0 ? ms.setScale(0).toPlainString() : ms.toPlainString();
    }

    private static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
