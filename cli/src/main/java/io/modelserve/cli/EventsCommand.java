package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "events", mixinStandardHelpOptions = true, description = "What happened in the cluster, oldest first: applies, replicas started, failed "
        + "and stopped, autoscale decisions, leader changes, nodes joined and lost.")
final class EventsCommand implements Callable<Integer> {
    private static final long FOLLOW_INTERVAL_MS = 1_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssX").withZone(ZoneOffset.UTC);

    @Option(names = {"-f", "--follow"}, description = "keep printing new events until interrupted")
    boolean follow;

    @Option(names = {"-d", "--deployment"}, description = "only the events of this deployment")
    String deployment;

    @Option(names = {"-n", "--limit"}, defaultValue = "50", description = "how many of the latest events to print first (default: ${DEFAULT-VALUE}, at most 500)")
    int limit;

    @Mixin
    HeadTarget target;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        String filter = deployment == null ? "" : "&deployment=" + URLEncoder.encode(deployment, StandardCharsets.UTF_8);
        long since = 0;
        int batch = limit;
        while (true) {
            AdminClient.Answer answer;
            try {
                answer = client.get("/api/events?since=" + since + "&limit=" + batch + filter);
            } catch (ConnectException e) {
                System.err.println("no head answers at " + client.base());
                return 1;
            }
            if (answer.status() != 200) {
                System.err.println("events: " + answer.body().path("error").asText("HTTP " + answer.status()));
                return 1;
            }
            for (JsonNode event : answer.body().path("events")) {
                System.out.println(line(event));
            }
            System.out.flush();
            since = answer.body().path("next").asLong(since);
            if (!follow) {
                return 0;
            }
            batch = 500; // following: everything new, not only the latest few
            Thread.sleep(FOLLOW_INTERVAL_MS);
        }
    }

    /** {@code 2026-12-02 00:50:01Z  REPLICA_FAILED  Faulty-1a2b3c on node-1 failed: ...} */
    static String line(JsonNode event) {
        return TIME.format(Instant.ofEpochMilli(event.path("atMillis").asLong())) + "  "
                + String.format("%-15s", event.path("kind").asText()) + " " + event.path("message").asText();
    }
}
