package io.modelserve.controller.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.PooledJson;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * One line of a node's access log ({@code <log dir>/access/<deployment>.log}, one JSON object per
 * client request, written by the node whose ingress received it), as the dashboard reads it back.
 * A field the writer left out reads as null or 0: the log outlives versions of its writer.
 *
 * @param atMillis the answer's time, from the line's ISO-8601 {@code time}
 * @param replica  the replica that answered, or null when none did (a 503 before routing)
 * @param bytesOut the answer's body size, or null for a streamed answer
 */
public record RequestLogLine(long atMillis, String time, String deployment, String route, String protocol, String version,
        String replica, String node, int status, Long bytesIn, Long bytesOut, Double queueMs, Double computeMs,
        Double totalMs) {
    private static final ObjectMapper JSON = PooledJson.mapper();

    /** The line parsed, or empty for a line that is not such an object (a torn or foreign line is skipped). */
    public static Optional<RequestLogLine> parse(String line) {
        try {
            JsonNode json = JSON.readTree(line);
            if (json == null || !json.isObject() || !json.path("time").isTextual()) {
                return Optional.empty();
            }
            String time = json.get("time").asText();
            return Optional.of(new RequestLogLine(Instant.parse(time).toEpochMilli(), time, text(json, "deployment"),
                    text(json, "route"), text(json, "protocol"), text(json, "version"), text(json, "replica"),
                    text(json, "node"), json.path("status").asInt(0), whole(json, "bytes_in"),
                    whole(json, "bytes_out"), number(json, "queue_ms"), number(json, "compute_ms"),
                    number(json, "total_ms")));
        } catch (java.io.IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long whole(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value != null && value.isNumber() ? value.asLong() : null;
    }

    private static Double number(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value != null && value.isNumber() ? value.asDouble() : null;
    }
}
