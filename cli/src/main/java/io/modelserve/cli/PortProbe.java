package io.modelserve.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * Tries the ports of conf.ini before a head starts, so that a port it may not bind says why in one
 * line — below 1024 without root, or taken by another process — instead of a server's stack trace.
 */
final class PortProbe {
    private PortProbe() {}

    /** Why {@code port} (conf.ini's {@code key}) cannot be bound on {@code bind}, or empty when it can. */
    static Optional<String> problem(String bind, int port, String key) {
        if (port == 0) {
            return Optional.empty();
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            return Optional.empty();
        } catch (BindException e) {
            String message = String.valueOf(e.getMessage());
            if (port < 1024 && message.toLowerCase(java.util.Locale.ROOT).contains("permission")) {
                return Optional.of(key + " = " + port + ": ports below 1024 need root (or CAP_NET_BIND_SERVICE) on this "
                        + "machine; choose " + key + " = 1024 or above in [MODEL SERVE] (e.g. 8000), or put a proxy in front");
            }
            if (message.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
                return Optional.of(key + " = " + port + ": another process already listens on " + bind + ":" + port
                        + " (a head still running? modelserve stop); choose another " + key + " in [MODEL SERVE]");
            }
            return Optional.of(key + " = " + port + ": cannot listen on " + bind + ":" + port + ": " + message);
        } catch (IOException | RuntimeException e) {
            return Optional.of(key + " = " + port + ": cannot listen on " + bind + ":" + port + ": " + e.getMessage());
        }
    }
}
