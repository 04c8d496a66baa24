package io.modelserve.agent.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Another node's ingress as seen from the wire: a real HTTP/1.1 server on loopback whose answer to
 * each forwarded request the test scripts, down to the misbehaviour (close after reading, never
 * answer), and which counts how often each request arrived.
 */
final class FakePeer implements AutoCloseable {
    /** What the peer does with one forwarded request. */
    sealed interface Act {}

    record Answer(int status, Map<String, String> headers, String body) implements Act {}

    /** Reads the request, then closes the connection without a byte of answer (it died meanwhile). */
    record CloseAfterReading() implements Act {}

    /** Reads the request and never answers (a frozen JVM, as far as this request can tell). */
    record Hang() implements Act {}

    record AnswerAfter(long millis, Answer answer) implements Act {}

    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Function<Integer, Act> script = n -> ok();
    private volatile boolean answersProbes = true;

    FakePeer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    static Answer ok() {
        return new Answer(200, Map.of(), "{\"status\":1,\"result\":\"ok\",\"info\":\"n2/r1\"}");
    }

    /** The n-th forwarded request (0-based) gets {@code script.apply(n)}. */
    FakePeer script(Function<Integer, Act> script) {
        this.script = script;
        return this;
    }

    FakePeer answersProbes(boolean answers) {
        this.answersProbes = answers;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** How many forwarded requests arrived (probes not counted). */
    int received() {
        return received.size();
    }

    int openConnections() {
        return sockets.size();
    }

    int connections() {
        return connections.get();
    }

    /** Closes the idle keep-alive connections from the server side, as a restarting node would. */
    void closeConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                int length = 0;
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                if (requestLine.startsWith("GET /-/healthz")) {
                    if (!answersProbes) {
                        hang();
                    }
                    write(out, new Answer(200, Map.of(), "{\"status\":\"ok\"}"));
                    continue;
                }
                int n = received.size();
                received.add(requestLine);
                Act act = script.apply(n);
                if (act instanceof AnswerAfter later) {
                    Thread.sleep(later.millis());
                    act = later.answer();
                }
                switch (act) {
                    case Answer answer -> write(out, answer);
                    case CloseAfterReading close -> {
                        return;
                    }
                    case Hang hang -> hang();
                    case AnswerAfter later -> throw new IllegalStateException("unreachable");
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away, or the peer was closed: this connection is done.
        } finally {
            sockets.remove(socket);
        }
    }

    private static void hang() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void write(OutputStream out, Answer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" X\r\nContent-Length: ")
                .append(body.length).append("\r\nContent-Type: application/json\r\n");
        answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return null;
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeConnections();
    }
}
