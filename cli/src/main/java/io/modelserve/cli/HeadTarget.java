package io.modelserve.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The head a command talks to, as every admin command names it: {@code --head HOST:PORT}, else the
 * {@code dashboard_port} of {@code --conf}; the admin token from {@code MODELSERVE_TOKEN}.
 */
final class HeadTarget {
    @Option(names = "--head", description = "HOST:PORT of the head's admin API")
    String head;

    @Option(names = "--conf", defaultValue = "conf.ini", description = "conf.ini that names the dashboard_port (default: ${DEFAULT-VALUE})")
    Path conf;

    AdminClient client() throws Exception {
        return new AdminClient(HeadAddress.resolve(head, conf), System.getenv("MODELSERVE_TOKEN"));
    }
}
