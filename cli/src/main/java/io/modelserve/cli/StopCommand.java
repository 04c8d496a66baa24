package io.modelserve.cli;

import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the head cleanly: drain replicas, leave the cluster.")
final class StopCommand implements Callable<Integer> {
    @Mixin
    HeadTarget target;

    @Option(names = "--wait", defaultValue = "30", description = "seconds to wait for the head to go (default: ${DEFAULT-VALUE})")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        AdminClient client = target.client();
        AdminClient.Answer answer;
        try {
            answer = client.post("/api/stop", Map.of());
        } catch (ConnectException e) {
            System.err.println("no head answers at " + client.base() + "; nothing to stop");
            return 0;
        }
        if (answer.status() != 202) {
            System.err.println("stop refused: " + answer.body().path("error").asText());
            return 1;
        }
        long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            try {
                client.get("/-/healthz");
                Thread.sleep(200);
            } catch (ConnectException gone) {
                System.out.println("stopped");
                return 0;
            }
        }
        System.err.println("head still answering after " + waitSeconds + " s");
        return 1;
    }
}
