package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Polls the head until the cluster has converged to the applied conf.ini. Gives up early, with the
 * reasons, when replicas have been FAILED or unplaceable for a few seconds: waiting longer would
 * only hide the error from the operator (the cluster keeps retrying them regardless).
 */
final class ConvergenceWait {
    private static final long POLL_MS = 250;
    private static final long FAILURE_GRACE_MS = 3_000;

    private final AdminClient client;
    private final int timeoutSeconds;
    private final long appliedGeneration;

    /**
     * @param appliedGeneration the generation the apply answered: a report of an older one (the head
     *                          may answer its last report when computing a fresh one is slow) says
     *                          nothing about this apply and is not read as converged
     */
    ConvergenceWait(AdminClient client, int timeoutSeconds, long appliedGeneration) {
        this.client = client;
        this.timeoutSeconds = timeoutSeconds;
        this.appliedGeneration = appliedGeneration;
    }

    int await(long startedNanos) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
        long failingSince = 0;
        List<String> lastProblems = List.of();
        while (System.currentTimeMillis() < deadline) {
            JsonNode report = client.get("/api/status").body();
            if (report.path("generation").asLong(0) < appliedGeneration) {
                Thread.sleep(POLL_MS);
                continue;
            }
            if (report.path("converged").asBoolean(false)) {
                long running = 0;
                for (JsonNode replica : report.path("replicas")) {
                    if ("RUNNING".equals(replica.path("state").asText())) {
                        running++;
                    }
                }
                System.out.printf("converged in %.1f s: %d replica%s running%n", (System.nanoTime() - startedNanos) / 1e9,
                        running, running == 1 ? "" : "s");
                return 0;
            }
            lastProblems = texts(report.path("problems"));
            List<String> failures = texts(report.path("failures"));
            if (failures.isEmpty()) {
                failingSince = 0;
            } else if (failingSince == 0) {
                failingSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - failingSince > FAILURE_GRACE_MS) {
                System.err.println("not converged:");
                failures.forEach(f -> System.err.println("  " + f));
                System.err.println("the cluster keeps retrying; see `modelserve status`");
                return 1;
            }
            Thread.sleep(POLL_MS);
        }
        System.err.println("not converged after " + timeoutSeconds + " s:");
        lastProblems.forEach(p -> System.err.println("  " + p));
        return 1;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
