package io.modelserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "apply", mixinStandardHelpOptions = true, description = "Run the controller: print the plan, apply it, wait until the cluster has converged.")
final class ApplyCommand implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "conf.ini", description = "the conf.ini to apply (default: ${DEFAULT-VALUE})")
    Path conf;

    @Option(names = "--dry-run", description = "validate and print the plan; change nothing")
    boolean dryRun;

    @Option(names = "--head", description = "HOST:PORT of the head's admin API (default: MODELSERVE_HEAD, else the local head)")
    String head;

    @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for convergence (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(conf)) {
            System.err.println(conf + ": no such file");
            return 2;
        }
        AdminClient client = new AdminClient(HeadAddress.resolve(head, conf), System.getenv("MODELSERVE_TOKEN"));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("path", conf.toAbsolutePath().normalize().toString());
        request.put("text", Files.readString(conf));
        request.put("dryRun", dryRun);
        long started = System.nanoTime();
        AdminClient.Answer answer;
        try {
            answer = client.post("/api/apply", request);
        } catch (ConnectException e) {
            System.err.println("no head answers at " + client.base() + "; start one with `modelserve start " + conf + "` or pass --head HOST:PORT");
            return 1;
        }
        JsonNode body = answer.body();
        if (answer.status() == 401) {
            System.err.println(body.path("error").asText());
            return 1;
        }
        if (answer.status() != 200) {
            for (JsonNode error : body.path("errors")) {
                System.err.println(error.asText());
            }
            if (!body.path("error").isMissingNode()) {
                System.err.println(body.path("error").asText());
            }
            System.err.println(conf + " rejected; nothing changed");
            return 1;
        }
        System.out.println((dryRun ? "plan (dry run) for " : "plan for ") + conf + ":");
        for (JsonNode change : body.path("plan")) {
            System.out.println("  " + change.path("text").asText());
        }
        if (dryRun) {
            return 0;
        }
        return new ConvergenceWait(client, timeoutSeconds, body.path("generation").asLong(0)).await(started);
    }
}
