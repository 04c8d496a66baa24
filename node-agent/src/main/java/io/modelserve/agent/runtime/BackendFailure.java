package io.modelserve.agent.runtime;

/** The plugin threw while answering; the message is passed to the caller, the stack trace is logged. */
public final class BackendFailure extends RuntimeException {
    public BackendFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** "IllegalArgumentException: missing 'text'" — the one line an operator or a caller needs. */
    public static String describe(Throwable t) {
        Throwable root = t;
        while ((root instanceof java.lang.reflect.InvocationTargetException
                || root instanceof java.util.concurrent.ExecutionException) && root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = message == null || message.isBlank() ? root.getClass().getName() : message;
        Throwable cause = root.getCause();
        if (cause != null && cause != root && cause.getMessage() != null && !text.contains(cause.getMessage())) {
            text += " (caused by " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return text;
    }
}
