package io.modelserve.cluster;

/**
 * The conf.ini in force: its text, where it was read from, and the settings parsed from it.
 *
 * @param generation increases by one with every apply that changed something
 */
public record AppliedConfig(String path, String text, ServeSettings settings, long generation, long appliedAtMillis) {}
