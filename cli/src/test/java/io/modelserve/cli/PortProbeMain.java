package io.modelserve.cli;

/** {@code PortProbe.problem(bind, port, key)} in a JVM of its own, so a test can run it as another user; prints the message. */
final class PortProbeMain {
    private PortProbeMain() {}

    public static void main(String[] args) {
        System.out.println(PortProbe.problem(args[0], Integer.parseInt(args[1]), args[2]).orElse("(no problem)"));
    }
}
