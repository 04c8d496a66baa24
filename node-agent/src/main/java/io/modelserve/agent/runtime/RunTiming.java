package io.modelserve.agent.runtime;

/**
 * Where a served request's time went in the replica that answered it: waiting for its turn, then
 * from the start of the plugin call until the answer reached the request's caller (a batch's call,
 * for each request in it). Negative when not known (an answer from a node that does not say).
 */
public record RunTiming(long queueNanos, long computeNanos) {
    public static final RunTiming UNKNOWN = new RunTiming(-1, -1);

    /** The header a node answers a forwarded request with: {@code <queue nanos>,<compute nanos>}. */
    public static final String HEADER = "X-Modelserve-Run";

    public boolean known() {
        return queueNanos >= 0 && computeNanos >= 0;
    }

    public String header() {
        return queueNanos + "," + computeNanos;
    }

    /** {@link #UNKNOWN} for a missing or malformed header (a peer's word, never trusted to parse). */
    public static RunTiming parse(String header) {
        if (header == null) {
            return UNKNOWN;
        }
        int comma = header.indexOf(',');
        try {
            return comma < 0 ? UNKNOWN : new RunTiming(Long.parseLong(header.substring(0, comma).strip()),
                    Long.parseLong(header.substring(comma + 1).strip()));
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }
}
