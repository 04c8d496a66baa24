package io.modelserve.cluster;

/**
 * Where a deployment's replicas run: in the node's JVM, each in its own classloader (the default),
 * or each in a child JVM of its own ({@code isolation = process}) whose heap is capped at
 * {@code memoryLimitMb}; a crash, {@code System.exit} or OutOfMemoryError there restarts only that
 * replica.
 */
public record Isolation(Mode mode, long memoryLimitMb) {
    /** The two ways to run a replica. */
    public enum Mode { IN_PROCESS, PROCESS }

    public static final Isolation IN_PROCESS = new Isolation(Mode.IN_PROCESS, 0);

    public boolean isProcess() {
        return mode == Mode.PROCESS;
    }
}
