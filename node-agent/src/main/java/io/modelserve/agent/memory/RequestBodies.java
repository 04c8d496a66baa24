package io.modelserve.agent.memory;

import io.javalin.http.Context;
import java.util.function.LongSupplier;

/**
 * The body limits of one node, for every endpoint that reads a body (routes, the async queue, Open
 * Inference, forwarded requests): {@code max_body_bytes} per body and one {@link InflightBudget} for
 * all of them. An endpoint opens a reservation, reads with it, and closes it when its request is done:
 * <pre>{@code
 * try (var reservation = bodies.reserve()) {
 *     if (bodies.read(ctx, reservation) instanceof BodyReader.Read read) { ... }
 * }
 * }</pre>
 */
public final class RequestBodies {
    private final LongSupplier maxBodyBytes;
    private final InflightBudget budget;

    public RequestBodies(LongSupplier maxBodyBytes, InflightBudget budget) {
        this.maxBodyBytes = maxBodyBytes;
        this.budget = budget;
    }

    /** Limits for tests and tools: {@code maxBodyBytes} per body, a budget of a quarter of the heap. */
    public static RequestBodies of(long maxBodyBytes) {
        return new RequestBodies(() -> maxBodyBytes, new InflightBudget(InflightBudget::defaultLimit));
    }

    public InflightBudget.Reservation reserve() {
        return budget.open();
    }

    public long maxBodyBytes() {
        return maxBodyBytes.getAsLong();
    }

    public InflightBudget budget() {
        return budget;
    }

    /** Reads the body of {@code ctx} with {@link #maxBodyBytes()} as its limit. */
    public BodyReader.Result read(Context ctx, InflightBudget.Reservation reservation) {
        return read(ctx, maxBodyBytes.getAsLong(), reservation);
    }

    /** Reads the body of {@code ctx} under {@code limit} (a forwarded frame's bound is not a body's). */
    public BodyReader.Result read(Context ctx, long limit, InflightBudget.Reservation reservation) {
        // The input stream is taken only once the bytes to read are charged: nothing of a body refused
        // by its length or by the budget is read, nor waited for.
        return BodyReader.read(() -> ctx.req().getInputStream(), ctx.contentLength(), limit, reservation, budget);
    }
}
