package io.modelserve.cluster.http;

import io.javalin.config.JavalinConfig;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * How every modelserve HTTP server (a node's ingress, the head's admin API and dashboard) is set up,
 * in one place, so that what a client can make one of them do is what it can make all of them do:
 * <ul>
 *   <li>Request line plus headers of at most {@code maxHeaderBytes}: Jetty answers 431 past it.
 *   <li>Handlers run when the headers are in, so a body can be refused (413, 503) before it is sent.
 *   <li>Every answer the server gives on its own (400 bad request line, 414, 431, 505, a failed
 *       dispatch) is a JSON envelope, as the handlers' own errors are ({@link JsonErrorHandler}).
 *   <li>Jetty's selectors and acceptors run on platform threads; handlers on virtual threads. Javalin's
 *       own virtual-thread pool also runs the selector on a virtual thread, and then a connection
 *       accepted while every other connection is idle (say, 60 clients each holding a body open) was
 *       never registered with the selector: the server looked dead to new clients until some other
 *       socket had traffic.
 *   <li>HTTP/2 in clear text beside HTTP/1.1 on the same port: an {@code Upgrade: h2c} request and a
 *       connection that starts with the HTTP/2 preface (prior knowledge) both become HTTP/2, with the
 *       same header limit and dispatch rules (the h2c factory shares the connector's configuration).
 * </ul>
 */
public final class HttpServers {
    /** Platform threads for Jetty's own work (selecting, accepting); requests never run on them. */
    private static final int PLATFORM_THREADS = 16;

    private HttpServers() {}

    /**
     * Javalin's own answers (an unknown method such as {@code BREW /} is 405 or 501 from its router)
     * as the JSON envelope, where no handler wrote one.
     */
    /**
     * A request attribute set when the answer is a plugin's own (any status, any content type): the
     * error handlers below leave it as it is instead of replacing it with a JSON error.
     */
    public static final String OWN_ANSWER = "modelserve.ownAnswer";

    public static void jsonErrors(io.javalin.Javalin app) {
        for (int status : new int[] {400, 405, 413, 500, 501, 503}) {
            app.error(status, ctx -> {
                if (ctx.attribute(OWN_ANSWER) != null) {
                    return;
                }
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    ctx.contentType("application/json").result(JsonErrorHandler.envelope(status, null));
                }
            });
        }
    }

    public static void configure(JavalinConfig config, String name, int maxHeaderBytes) {
        config.useVirtualThreads = false;
        QueuedThreadPool pool = new QueuedThreadPool(PLATFORM_THREADS, 2);
        pool.setName(name);
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory()));
        config.jetty.threadPool = pool;
        config.jetty.modifyHttpConfiguration(http -> {
            http.setRequestHeaderSize(maxHeaderBytes);
            // Dispatch on the headers, not on the first byte of body: a Content-Length over the limit,
            // or a body the budget cannot take, is refused before the client sends any of it.
            http.setDelayDispatchUntilContent(false);
        });
        config.jetty.modifyServer(server -> {
            server.setErrorHandler(new JsonErrorHandler());
            // Javalin creates its connector in start(); the factory is added as the server starts,
            // before any connector does.
            server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector connector : server.getConnectors()) {
                        addHttp2(connector);
                    }
                }
            });
        });
    }

    private static void addHttp2(Connector connector) {
        HttpConnectionFactory http1 = connector.getConnectionFactory(HttpConnectionFactory.class);
        if (connector instanceof ServerConnector server && http1 != null
                && server.getConnectionFactory(HTTP2CServerConnectionFactory.class) == null) {
            HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http1.getHttpConfiguration());
            server.addConnectionFactory(h2c);
        }
    }
}
