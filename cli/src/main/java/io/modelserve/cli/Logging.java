package io.modelserve.cli;

import java.nio.file.Path;

/** Points logback at the log directory before the first logger is created. */
final class Logging {
    private Logging() {}

    static void configure(Path conf, String process) {
        Path dir = conf.toAbsolutePath().getParent().resolve(System.getProperty("modelserve.logDir", "logs"));
        System.setProperty("modelserve.logDir", dir.toString());
        System.setProperty("modelserve.process", process);
    }
}
