package io.modelserve.examples.noop;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;

/**
 * Answers with the request's params, unchanged: {@code {"text":"hi"}} -> {@code {"status":1,"result":{"text":"hi"},...}}.
 * No model, no work: what a call to it costs is what modelserve costs.
 */
public class Noop implements AlgoBackend {

    @Override
    public void init(BackendContext context) {
        // Nothing to load.
    }

    @Override
    public Object inference(Request request) {
        return request.params();
    }
}
