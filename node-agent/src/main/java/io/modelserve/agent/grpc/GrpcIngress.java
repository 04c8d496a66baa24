package io.modelserve.agent.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.modelserve.agent.builtin.OpenInferenceService;
import io.modelserve.agent.memory.RequestBodies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Open Inference Protocol's {@code GRPCInferenceService} on {@code grpc_port} of a node. Calls run
 * on virtual threads, since each blocks while a replica (here or on another node) answers it.
 */
public final class GrpcIngress implements AutoCloseable {
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final Server server;

    public GrpcIngress(OpenInferenceService service, RequestBodies bodies, String host, int port) {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .executor(calls)
                // A bound before a message is read; max_body_bytes, which can change, is checked per call.
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, Math.max(bodies.maxBodyBytes(), 4L << 20) * 2))
                .addService(InferenceServiceBinding.bind(new GrpcInference(service, bodies)))
                .build();
    }

    public GrpcIngress start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve gRPC on port " + server.getPort() + ": " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
    }
}
