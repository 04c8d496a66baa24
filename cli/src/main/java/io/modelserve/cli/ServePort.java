package io.modelserve.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The REST port the printed curl hints should use: {@code port =} of [MODEL SERVE] in ./conf.ini, else 8000. */
final class ServePort {
    static final int DEFAULT = 8000;
    private static final Pattern PORT = Pattern.compile("^\\s*port\\s*=\\s*(\\d{1,5})\\b");

    private ServePort() {}

    static int of(Path conf) {
        if (!Files.isRegularFile(conf)) {
            return DEFAULT;
        }
        boolean inServe = false;
        try {
            for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
                String stripped = line.strip();
                if (stripped.startsWith("[")) {
                    inServe = stripped.equals("[MODEL SERVE]") || stripped.startsWith("[MODEL SERVE]");
                    continue;
                }
                Matcher port = PORT.matcher(line);
                if (inServe && port.find()) {
                    return Integer.parseInt(port.group(1));
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable conf.ini: the hint falls back to the default port.
        }
        return DEFAULT;
    }
}
