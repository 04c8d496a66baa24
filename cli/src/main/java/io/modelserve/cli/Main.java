package io.modelserve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/modelserve}: one entry point, a subcommand per verb of SPEC.md §5. */
@Command(name = "modelserve", mixinStandardHelpOptions = true, version = "modelserve 0.1.0",
        description = "A model-serving cluster: plugins in algopkg/, models in Model_ZOO/, deployments in conf.ini.",
        subcommands = {StartCommand.class, AgentCommand.class, ApplyCommand.class, StatusCommand.class, StopCommand.class, LogsCommand.class, RequestsCommand.class, EventsCommand.class,
                InitCommand.class, CheckCommand.class})
public final class Main {
    public static void main(String[] args) {
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        // A head keeps non-daemon threads (Hazelcast, Jetty) until it is stopped; only then exit.
        System.exit(code);
    }
}
