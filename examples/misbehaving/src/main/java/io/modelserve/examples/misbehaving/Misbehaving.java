package io.modelserve.examples.misbehaving;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Does, on request, what a bad plugin does by accident: {@code {"action": "exit"}} calls
 * {@code System.exit(3)}, {@code "oom"} allocates until the heap is gone, {@code "spin"} burns a core
 * forever, {@code "hang"} never returns, {@code "leak-threads"} starts threads that never end,
 * {@code "unserialisable"} returns an object JSON cannot hold, {@code "throw"} fails the request,
 * {@code "headers"} answers the request's headers as the plugin sees them (and its {@code X-Request-Id}).
 * Anything else answers {@code {"pid": ..., "replica": ...}}; {@code config.fail_init = msg} makes
 * {@code init} throw. Run it with {@code isolation = process}.
 */
public class Misbehaving implements AlgoBackend {
    private String replica;
    private final List<byte[]> hoard = new ArrayList<>();

    @Override
    public void init(BackendContext context) {
        String failInit = context.config().get("fail_init");
        if (failInit != null) {
            throw new IllegalStateException(failInit);
        }
        replica = context.replicaId();
    }

    @Override
    public Object inference(Request request) throws Exception {
        switch (request.params().path("action").asText("ok")) {
            case "exit" -> System.exit(3);
            case "oom" -> {
                while (true) {
                    hoard.add(new byte[8 * 1024 * 1024]);
                }
            }
            case "spin" -> {
                long x = 0;
                while (!Thread.currentThread().isInterrupted() || x >= 0) {
                    x++;
                }
                return x;
            }
            case "hang" -> Thread.sleep(Long.MAX_VALUE);
            case "leak-threads" -> {
                for (int i = 0; i < 50; i++) {
                    Thread.ofPlatform().daemon(false).start(() -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException ignored) {
                            // leaked on purpose
                        }
                    });
                }
                return Map.of("leaked", 50);
            }
            case "unserialisable" -> {
                return new SelfReference();
            }
            case "throw" -> throw new IllegalStateException("the model exploded");
            case "headers" -> {
                return Map.of("pid", ProcessHandle.current().pid(), "headers", request.headers(),
                        "requestId", request.header("X-Request-Id").orElse("(none)"));
            }
            default -> { }
        }
        return Map.of("pid", ProcessHandle.current().pid(), "replica", replica);
    }

    /** Jackson cannot serialise this: its getter refers back to itself forever. */
    public static final class SelfReference {
        public SelfReference getSelf() {
            return this;
        }
    }
}
