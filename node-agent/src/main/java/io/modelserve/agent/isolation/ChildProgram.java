package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Device;

/**
 * What runs in a replica's child process — a JVM loading the plugin's jars, or a Python interpreter
 * importing a package — as {@link ChildBackend} needs to know it: how to start it, what its first
 * message says, and how its death by memory reads in its output. Supervision is ChildBackend's alone.
 */
interface ChildProgram {

    /** How status names the child: "child JVM", "Python child". */
    String what();

    /**
     * The process to start, connecting back to {@code port}, for a replica placed on {@code device}
     * (its environment from {@link ChildEnvironment}); may prepare first (a Python package's
     * environment) and throws with the reason when it cannot, e.g. a failed pip install.
     */
    ProcessBuilder process(int port, Device device) throws Exception;

    /** The first message: what to load and with which configuration. */
    ObjectNode init(BackendContext context);

    /** Whether the child's last output says it ran out of memory. */
    boolean ranOutOfMemory(String output);

    long memoryLimitMb();
}
