package io.modelserve.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Without a cluster secret anyone who reaches the cluster port and knows the cluster name joins as a
 * member, with full control. That is acceptable on loopback (one machine, tests, a laptop) and nowhere
 * else unless the operator says so with {@code --insecure}.
 */
final class InsecureBind {
    private InsecureBind() {}

    /** The one line that explains why this node does not start, or empty if it may. */
    static Optional<String> refusal(String bind, boolean secured, boolean insecure, String secretSource) {
        if (secured || insecure || isLoopback(bind)) {
            return Optional.empty();
        }
        return Optional.of("error: refusing to bind " + bind + " without a cluster secret: anyone who reaches its"
                + " cluster port could join and control the cluster; set " + secretSource
                + " (the same on every node) or pass --insecure on a network you trust");
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
