package io.modelserve.agent.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Pooled keep-alive HTTP/1.1 connections from this node to the other nodes' ingresses, for
 * forwarding. Blocking sockets on the caller's virtual thread: no selector thread and no hand-off
 * per request. (The JDK's HttpClient measured about 1.7 ms per request on loopback here, twenty
 * times the cost of the request it carried.) Only what forwarding needs: POST with a body, answers
 * with Content-Length or chunked bodies.
 *
 * <p>Over 300 lines: a small HTTP/1.1 client (request bytes, status line, headers, both body
 * framings) and the pooling whose rules decide what a failure means (not sent, or may have run);
 * the two are kept together because each failure's meaning depends on where in the exchange it fell.
 */
final class NodeConnections implements AutoCloseable {
    private static final long IDLE_LIMIT_NANOS = 15_000_000_000L; // below Jetty's idle timeout
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 256 * 1024 * 1024;

    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> busy = new ConcurrentHashMap<>();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    /** An answer: status, lower-case header names, body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Nothing of the request reached the peer's server (no connection, or the write failed): it did not run. */
    static final class NotSent extends IOException {
        NotSent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The request was written and no answer came (closed, reset, abandoned, given up on): it may have run. */
    static final class NoAnswer extends IOException {
        final boolean deadlinePassed;

        NoAnswer(String message, Throwable cause, boolean deadlinePassed) {
            super(message, cause);
            this.deadlinePassed = deadlinePassed;
        }
    }

    /**
     * Asked each time {@code firstByteMillis} pass after the request was written with no byte of an
     * answer: whether to keep waiting (the peer is alive, its model is slow) or to give up now.
     */
    @FunctionalInterface
    interface FirstByteWatch {
        boolean keepWaiting();

        FirstByteWatch PATIENT = () -> true;
    }

    private static final class Connection {
        final SocketChannel channel;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long lastUsedNanos = System.nanoTime();
        volatile boolean abandoned;

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.socket = channel.socket();
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        /**
         * Whether the peer closed this idle connection (restart, idle timeout): a non-blocking read
         * sees the end of stream. Checked before a reuse, so that a request is written only to a
         * connection that was open a moment ago; if it closes in between, the request may have run.
         */
        boolean closedByPeer() {
            try {
                channel.configureBlocking(false);
                int read = channel.read(ByteBuffer.allocate(1));
                channel.configureBlocking(true);
                return read != 0; // -1: closed; > 0: bytes nobody asked for, unusable either way
            } catch (IOException e) {
                return true;
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing left to do.
            }
        }
    }

    /**
     * POSTs to {@code baseUrl + path}. What can be known about a failure is thrown as a type:
     * {@link NotSent} (it cannot have run; when the write on a reused connection fails, the request
     * is written once more on a fresh one, as nothing of it was taken) or {@link NoAnswer} (written,
     * no answer: never sent again here, the caller decides).
     *
     * @param firstByteMillis how long to wait for the first byte of the answer before asking {@code watch}
     * @param timeoutMillis   how long to wait for the answer at all
     */
    Response post(String baseUrl, String path, Map<String, String> headers, byte[] body, long timeoutMillis,
            long firstByteMillis, FirstByteWatch watch) throws NotSent, NoAnswer {
        Peer peer = peer(baseUrl);
        String key = peer.key();
        byte[] request = requestBytes(peer, path, headers, body);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Connection connection = takeIdle(key);
        if (connection != null) {
            try {
                return exchange(key, connection, request, deadline, firstByteMillis, watch);
            } catch (NotSent stale) {
                // The write failed: not all of the request left, so the server cannot have run it. A fresh connection.
            }
        }
        return exchange(key, open(peer, timeoutMillis), request, deadline, firstByteMillis, watch);
    }

    /** Closes every connection to {@code host:port}, failing the calls waiting on them now. */
    void abandon(String baseUrl) {
        String key = peer(baseUrl).key();
        Deque<Connection> pooled = idle.remove(key);
        if (pooled != null) {
            pooled.forEach(Connection::close);
        }
        Set<Connection> inUse = busy.get(key);
        if (inUse != null) {
            inUse.forEach(connection -> {
                connection.abandoned = true;
                connection.close();
            });
        }
    }

    /** A node's address, parsed once: a forward is too cheap to parse its URL every time. */
    private record Peer(String host, int port, String key) {
        static Peer of(String baseUrl) {
            URI uri = URI.create(baseUrl);
            return new Peer(uri.getHost(), uri.getPort(), uri.getHost() + ":" + uri.getPort());
        }
    }

    private Peer peer(String baseUrl) {
        return peers.computeIfAbsent(baseUrl, Peer::of);
    }

    private static byte[] requestBytes(Peer peer, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(peer.key()).append("\r\nContent-Length: ").append(body.length)
                .append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private Response exchange(String key, Connection connection, byte[] request, long deadline, long firstByteMillis,
            FirstByteWatch watch) throws NotSent, NoAnswer {
        Set<Connection> inUse = busy.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
        inUse.add(connection);
        boolean keep = false;
        try {
            try {
                connection.out.write(request);
                connection.out.flush();
            } catch (IOException e) {
                throw new NotSent("cannot write to " + key + ": " + e.getMessage(), e);
            }
            int first = firstByte(key, connection, deadline, firstByteMillis, watch);
            Response response;
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                connection.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                response = readResponse(first, connection.in);
            } catch (SocketTimeoutException e) {
                throw new NoAnswer("no whole answer from " + key + " in time", e, true);
            } catch (IOException e) {
                throw new NoAnswer("connection to " + key + " broke while answering: " + e.getMessage(), e, false);
            }
            keep = !"close".equalsIgnoreCase(response.header("connection"));
            return response;
        } finally {
            inUse.remove(connection);
            if (keep) {
                connection.lastUsedNanos = System.nanoTime();
                idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).push(connection);
            } else {
                connection.close();
            }
        }
    }

    /** Waits for the first byte of the answer in slices of {@code firstByteMillis}, asking {@code watch} after each. */
    private static int firstByte(String key, Connection connection, long deadline, long firstByteMillis, FirstByteWatch watch)
            throws NoAnswer {
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new NoAnswer("no answer from " + key + " in time", null, true);
            }
            try {
                connection.socket.setSoTimeout((int) Math.max(1, Math.min(left, firstByteMillis)));
                int first = connection.in.read();
                if (first < 0) {
                    throw new NoAnswer("closed by " + key + " before an answer", null, false);
                }
                return first;
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() < deadline && !watch.keepWaiting()) {
                    throw new NoAnswer(key + " stopped answering (no answer, and no answer to a probe)", e, false);
                }
            } catch (IOException e) {
                throw new NoAnswer(connection.abandoned ? key + " left the cluster" : "connection to " + key + " broke: "
                        + e.getMessage(), e, false);
            }
        }
    }

    private Connection takeIdle(String key) {
        Deque<Connection> pooled = idle.get(key);
        if (pooled == null) {
            return null;
        }
        Connection connection;
        while ((connection = pooled.poll()) != null) {
            if (System.nanoTime() - connection.lastUsedNanos < IDLE_LIMIT_NANOS && !connection.socket.isClosed()
                    && !connection.closedByPeer()) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    private static Connection open(Peer peer, long timeoutMillis) throws NotSent {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(peer.host(), peer.port()), (int) Math.min(2_000, Math.max(1, timeoutMillis)));
            return new Connection(channel);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // It never connected.
                }
            }
            throw new NotSent("cannot connect to " + peer.key() + ": " + e.getMessage(), e);
        }
    }

    private static Response readResponse(int first, InputStream in) throws IOException {
        String statusLine = (char) first + readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("answer headers too large");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length);
            if (n < 0 || n > MAX_BODY_BYTES) {
                throw new IOException("bad Content-Length " + length);
            }
            body = in.readNBytes(n);
            if (body.length != n) {
                throw new EOFException("answer body cut short");
            }
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
            headers.put("connection", "close");
        }
        return new Response(status, headers, body);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers: ignored
                }
                return out.toByteArray();
            }
            if (out.size() + size > MAX_BODY_BYTES) {
                throw new IOException("answer body too large");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk cut short");
            }
            out.write(chunk);
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed mid-answer");
            }
            if (b != '\r') {
                line.append((char) b);
            }
            if (line.length() > MAX_HEADER_BYTES) {
                throw new IOException("answer line too long");
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        idle.values().forEach(d -> d.forEach(Connection::close));
        idle.clear();
    }
}
