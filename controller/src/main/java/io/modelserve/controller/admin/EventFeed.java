package io.modelserve.controller.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.PooledJson;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/events}: the cluster's timeline (written by the leader, read here from the cluster by
 * any head), oldest first. {@code ?since=N} answers only what came after sequence number N, so a
 * follower passes the {@code next} of its last answer and sees each event once; {@code ?deployment=}
 * keeps the events of one deployment; {@code ?limit=} the newest that many (default and most {@value #MAX_LIMIT}).
 */
public final class EventFeed {
    private static final ObjectMapper JSON = PooledJson.mapper();
    public static final int MAX_LIMIT = 500;

    private final Supplier<? extends Collection<ClusterEvent>> events;

    public EventFeed(Supplier<? extends Collection<ClusterEvent>> events) {
        this.events = events;
    }

    public EventFeed mount(Javalin app) {
        app.get("/api/events", this::serve);
        return this;
    }

    /** The events after {@code since}, of {@code deployment} if not null, the newest {@code limit}, oldest first. */
    public static List<ClusterEvent> select(Collection<ClusterEvent> events, long since, String deployment, int limit) {
        List<ClusterEvent> kept = events.stream().filter(e -> e.seq() > since)
                .filter(e -> deployment == null || e.concerns(deployment))
                .sorted(Comparator.comparingLong(ClusterEvent::seq)).toList();
        return kept.size() > limit ? kept.subList(kept.size() - limit, kept.size()) : kept;
    }

    private void serve(Context ctx) throws IOException {
        long since;
        int limit;
        try {
            since = parse(ctx.queryParam("since"), 0);
            limit = (int) parse(ctx.queryParam("limit"), MAX_LIMIT);
        } catch (NumberFormatException e) {
            json(ctx, 400, Map.of("status", 0, "error", "since and limit must be whole numbers"));
            return;
        }
        if (since < 0 || limit < 1 || limit > MAX_LIMIT) {
            json(ctx, 400, Map.of("status", 0, "error", "since must be 0 or more and limit between 1 and " + MAX_LIMIT));
            return;
        }
        String deployment = ctx.queryParam("deployment");
        List<ClusterEvent> selected = select(events.get(), since, deployment == null || deployment.isBlank() ? null : deployment,
                limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("events", selected);
        body.put("next", selected.isEmpty() ? since : selected.getLast().seq());
        json(ctx, 200, body);
    }

    private static long parse(String value, long otherwise) {
        return value == null || value.isBlank() ? otherwise : Long.parseLong(value.strip());
    }

    private static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }
}
