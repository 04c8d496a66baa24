package io.modelserve.agent.memory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request body under two limits: {@code max_body_bytes} for one body, and the node's
 * {@link InflightBudget} for all of them together. Nothing is read before the bytes are charged:
 * with a {@code Content-Length} the whole length is charged (or refused) before the first byte; a
 * chunked body is charged chunk by chunk as it arrives, so a body that lies about nothing and a body
 * that never ends cost the same bounded amount.
 *
 * <p>The servlet container buffers at most one network buffer per connection on its own: it reads
 * from the socket only when this reader asks for bytes, so a client that sends slowly, or stops,
 * holds no more than that until the idle timeout closes it (and the reservation is refunded).
 */
public final class BodyReader {
    /** Chunked bodies are charged and read in pieces of this size. */
    static final int CHUNK = 64 * 1024;

    private BodyReader() {}

    /** Where the body comes from; opened only once the first bytes to read are charged. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    /** How reading a body ended. */
    public sealed interface Result {}

    /** A body that is not read: the status, message and Retry-After (0: none) to answer with. */
    public sealed interface Refusal extends Result {
        int status();

        String message();

        default int retryAfterSeconds() {
            return 0;
        }
    }

    /** The whole body, charged to the reservation it was read with. */
    public record Read(byte[] bytes) implements Result {}

    /** Over {@code max_body_bytes}: answer 413; with a Content-Length, nothing was read. */
    public record TooLarge(String message) implements Refusal {
        @Override
        public int status() {
            return 413;
        }
    }

    /** The node's budget cannot take it now: answer 503 with {@code Retry-After}. */
    public record Busy(String message, int retryAfterSeconds) implements Refusal {
        @Override
        public int status() {
            return 503;
        }
    }

    /** The client stopped sending, or the connection broke: answer 400 (if anyone still listens). */
    public record Broken(String message) implements Refusal {
        @Override
        public int status() {
            return 400;
        }
    }

    /**
     * @param declaredLength the {@code Content-Length}, or -1 when the body is chunked
     * @param maxBodyBytes   {@code max_body_bytes}
     * @param reservation    charged with what is read; the caller closes it when the request is done
     */
    public static Result read(InputStream in, long declaredLength, long maxBodyBytes, InflightBudget.Reservation reservation,
            InflightBudget budget) {
        return read(() -> in, declaredLength, maxBodyBytes, reservation, budget);
    }

    /**
     * As {@link #read(InputStream, long, long, InflightBudget.Reservation, InflightBudget)}, opening
     * {@code source} only when there is something to read: Jetty, once a handler has taken the input
     * stream, waits for the rest of an unread body before it sends the refusal.
     */
    public static Result read(Source source, long declaredLength, long maxBodyBytes, InflightBudget.Reservation reservation,
            InflightBudget budget) {
        if (declaredLength > maxBodyBytes) {
            return tooLarge(declaredLength, maxBodyBytes);
        }
        if (declaredLength >= 0) {
            if (!reservation.grow(declaredLength)) {
                return busy(budget, declaredLength);
            }
            byte[] body = new byte[(int) declaredLength];
            try {
                int read = declaredLength == 0 ? 0 : source.open().readNBytes(body, 0, body.length);
                if (read < body.length) {
                    return new Broken("the request body ended after " + read + " of its " + declaredLength
                            + " bytes (Content-Length)");
                }
            } catch (IOException e) {
                return broken(e);
            }
            return new Read(body);
        }
        return readChunked(source, maxBodyBytes, reservation, budget);
    }

    private static Result readChunked(Source source, long maxBodyBytes, InflightBudget.Reservation reservation,
            InflightBudget budget) {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        InputStream in = null;
        try {
            while (true) {
                // One byte past the limit tells "at the limit" from "over it".
                int size = (int) Math.min(CHUNK, maxBodyBytes + 1 - total);
                if (!reservation.grow(size)) {
                    return busy(budget, total + size);
                }
                byte[] chunk = new byte[size];
                if (in == null) {
                    in = source.open();
                }
                int read = in.readNBytes(chunk, 0, size);
                total += read;
                if (total > maxBodyBytes) {
                    return tooLarge(total, maxBodyBytes);
                }
                if (read < size) {
                    reservation.shrink(size - read);
                    chunks.add(read == size ? chunk : java.util.Arrays.copyOf(chunk, read));
                    break;
                }
                chunks.add(chunk);
            }
        } catch (IOException e) {
            return broken(e);
        }
        if (chunks.size() == 1) {
            return new Read(chunks.getFirst());
        }
        // Joining needs the whole body once more for a moment; charge it, then refund the pieces.
        if (!reservation.grow(total)) {
            return busy(budget, total);
        }
        byte[] body = new byte[(int) total];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
        }
        reservation.shrink(total);
        return new Read(body);
    }

    private static TooLarge tooLarge(long size, long limit) {
        return new TooLarge("request body too large: " + (size > limit ? "more than " + limit : size)
                + " bytes; the limit is " + limit + " bytes (max_body_bytes in [MODEL SERVE])");
    }

    private static Busy busy(InflightBudget budget, long wanted) {
        return new Busy("this node holds as many request bytes as it may (max_inflight_bytes = " + budget.limit()
                + " in [MODEL SERVE]); a body of " + wanted + " bytes does not fit now; retry shortly", 1);
    }

    private static Broken broken(IOException e) {
        return new Broken("could not read the request body: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage()));
    }
}
