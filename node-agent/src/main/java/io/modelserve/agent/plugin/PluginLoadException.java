package io.modelserve.agent.plugin;

/** A plugin that cannot be loaded; the message tells the operator what to change. */
public final class PluginLoadException extends Exception {
    public PluginLoadException(String message) {
        super(message);
    }
}
