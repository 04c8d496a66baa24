package io.modelserve.agent.runtime;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.Request;

/**
 * Calls a plugin answers through an SDK interface rather than through {@code inference}: the Open
 * Inference Protocol's, for a {@code TensorModel}. The replica's invoker hands such a call here, so a
 * plugin never sees a protocol's request on its route; the translation lives with the protocol
 * ({@code builtin/PluginTensorCalls}), which this package does not depend on.
 */
public interface PluginProtocol {
    /** Built-in backends answer the protocol themselves. */
    PluginProtocol NONE = new PluginProtocol() {
        @Override
        public boolean handles(Request request) {
            return false;
        }

        @Override
        public Object answer(AlgoBackend backend, Request request) {
            throw new IllegalStateException("no protocol call to answer");
        }
    };

    boolean handles(Request request);

    /** The call's answer; throws as {@code inference} does (an {@code InvalidRequestException} is a 4xx). */
    Object answer(AlgoBackend backend, Request request) throws Exception;
}
