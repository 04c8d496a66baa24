package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true, description = "The log of each replica of a deployment (its plugin's output and its failures), "
        + "wherever it runs; each line prefixed with the replica id.")
final class LogsCommand implements Callable<Integer> {
    private static final long FOLLOW_INTERVAL_MS = 1_000;

    @Parameters(index = "0", description = "the deployment (section name without 'algopkg.')")
    String deployment;

    @Option(names = {"-f", "--follow"}, description = "keep printing new lines until interrupted")
    boolean follow;

    @Option(names = {"-n", "--lines"}, defaultValue = "100", description = "lines of each replica's tail (default: ${DEFAULT-VALUE})")
    int lines;

    @Mixin
    HeadTarget target;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        String path = "/api/logs/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8) + "?lines=" + lines;
        Map<String, Long> offsets = new LinkedHashMap<>();
        while (true) {
            AdminClient.Answer answer;
            try {
                answer = client.get(path + fromParameters(offsets));
            } catch (ConnectException e) {
                System.err.println("no head answers at " + client.base());
                return 1;
            }
            if (answer.status() != 200) {
                System.err.println("logs of " + deployment + ": " + answer.body().path("error").asText("HTTP " + answer.status()));
                return 1;
            }
            for (JsonNode replica : answer.body().path("replicas")) {
                String id = replica.path("replica").asText();
                if (replica.path("skipped").asBoolean()) {
                    System.out.println("[" + id + "] ... (lines skipped: the log grew faster than it was read)");
                }
                for (JsonNode line : replica.path("lines")) {
                    System.out.println("[" + id + "] " + line.asText());
                }
                JsonNode error = replica.path("error");
                if (!error.isNull() && !error.isMissingNode() && !offsets.containsKey(id)) {
                    System.err.println("[" + id + "] " + error.asText());
                }
                offsets.put(id, replica.path("offset").asLong());
            }
            System.out.flush();
            if (!follow) {
                return 0;
            }
            Thread.sleep(FOLLOW_INTERVAL_MS);
        }
    }

    /** Where each replica's (or node's) log was left, so following prints every line once. */
    static String fromParameters(Map<String, Long> offsets) {
        StringBuilder query = new StringBuilder();
        offsets.forEach((replica, offset) -> query.append("&from.").append(URLEncoder.encode(replica, StandardCharsets.UTF_8))
                .append('=').append(offset));
        return query.toString();
    }
}
