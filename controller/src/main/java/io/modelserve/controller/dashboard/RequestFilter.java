package io.modelserve.controller.dashboard;

import java.util.Locale;

/**
 * Which access-log lines an operator asked for: a status class, a text (found in the route,
 * replica, version, node or protocol), and a lowest total time.
 *
 * @param status  {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx}, {@code errors} (400 and above), or empty for any
 * @param text    a case-insensitive substring, or empty for any
 * @param minMs   lines whose total time is at least this many ms (0: any)
 */
public record RequestFilter(String status, String text, double minMs) {
    public static final RequestFilter ANY = new RequestFilter("", "", 0);

    public RequestFilter {
        status = status == null ? "" : status.strip().toLowerCase(Locale.ROOT);
        text = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (!status.isEmpty() && !status.equals("errors") && !status.matches("[2345]xx")) {
            throw new IllegalArgumentException("status must be 2xx, 3xx, 4xx, 5xx or errors, got " + status);
        }
        if (!(minMs >= 0)) {
            throw new IllegalArgumentException("min_ms must be a number of at least 0, got " + minMs);
        }
    }

    public boolean isAny() {
        return status.isEmpty() && text.isEmpty() && minMs == 0;
    }

    public boolean matches(RequestLogLine line) {
        if (status.equals("errors") ? line.status() < 400
                : !status.isEmpty() && line.status() / 100 != status.charAt(0) - '0') {
            return false;
        }
        if (minMs > 0 && (line.totalMs() == null || line.totalMs() < minMs)) {
            return false;
        }
        if (text.isEmpty()) {
            return true;
        }
        for (String field : new String[] {line.route(), line.replica(), line.version(), line.node(), line.protocol()}) {
            if (field != null && field.toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        return false;
    }
}
