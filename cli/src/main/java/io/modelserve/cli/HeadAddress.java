package io.modelserve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the CLI finds the head's admin API: {@code --head}, else {@code MODELSERVE_HEAD}, else the
 * address a head started from this conf.ini's directory recorded, else 127.0.0.1 and the
 * {@code dashboard_port} of conf.ini.
 */
final class HeadAddress {
    static final String RECORD = ".modelserve/head";
    private static final Pattern DASHBOARD_PORT = Pattern.compile("^\\s*dashboard_port\\s*=\\s*(\\d+)");

    private HeadAddress() {}

    static String resolve(String option, Path conf) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String env = System.getenv("MODELSERVE_HEAD");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path dir = conf.toAbsolutePath().getParent();
        Path record = dir.resolve(RECORD);
        try {
            if (Files.isRegularFile(record)) {
                String recorded = Files.readString(record).trim();
                if (!recorded.isEmpty()) {
                    return recorded;
                }
            }
        } catch (IOException ignored) {
            // Fall back to conf.ini.
        }
        return "127.0.0.1:" + dashboardPort(conf);
    }

    static int dashboardPort(Path conf) {
        try {
            for (String line : Files.readAllLines(conf)) {
                Matcher m = DASHBOARD_PORT.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // The default is right for a conf.ini without the key.
        }
        return 8265;
    }
}
