package io.modelserve.sdk;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** A call through a {@link DeploymentHandle} that was answered with an error. */
public class DeploymentCallException extends Exception {

    private final int httpStatus;

    public DeploymentCallException(int httpStatus, String message) {
        super(message);
        this.httpStatus = httpStatus;
    }

    /** The status the route would have answered over HTTP: 503 overloaded, 504 timed out, 500 failed, ... */
    public int httpStatus() {
        return httpStatus;
    }

    static <T> T join(CompletableFuture<T> future) throws DeploymentCallException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DeploymentCallException call) {
                throw call;
            }
            throw new DeploymentCallException(500, String.valueOf(e.getCause()));
        }
    }
}
