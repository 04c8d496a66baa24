package io.modelserve.cluster;

/**
 * Where a deployment's replicas run: in the node's JVM, each in its own classloader (the default),
 * each in a child JVM of its own ({@code isolation = process}) whose heap is capped at
 * {@code memoryLimitMb}, or each in a Python interpreter of its own (a package with
 * {@code backend.py}, {@code runtime = python}) whose memory is capped the same way. A crash, an exit
 * or running out of memory in a child restarts only that replica.
 *
 * @param interpreter the interpreter of a Python package ({@code python =}); empty: {@code python3} on the
 *               node's PATH. Empty for the other modes (absent in older state).
 */
public record Isolation(Mode mode, long memoryLimitMb, String interpreter) {
    /** The ways to run a replica. */
    public enum Mode { IN_PROCESS, PROCESS, PYTHON }

    public static final Isolation IN_PROCESS = new Isolation(Mode.IN_PROCESS, 0);

    public Isolation {
        interpreter = interpreter == null ? "" : interpreter;
    }

    public Isolation(Mode mode, long memoryLimitMb) {
        this(mode, memoryLimitMb, "");
    }

    /** Whether each replica is a child process of its node (a JVM or a Python interpreter). */
    public boolean isProcess() {
        return mode == Mode.PROCESS || mode == Mode.PYTHON;
    }

    public boolean isPython() {
        return mode == Mode.PYTHON;
    }
}
