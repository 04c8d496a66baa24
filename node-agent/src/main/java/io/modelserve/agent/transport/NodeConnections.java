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
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Pooled keep-alive HTTP/1.1 connections from this node to the other nodes' ingresses, for
 * forwarding. Blocking sockets on the caller's virtual thread: no selector thread and no hand-off
 * per request. (The JDK's HttpClient measured about 1.7 ms per request on loopback here, twenty
 * times the cost of the request it carried.) Only what forwarding needs: POST with a body, answers
 * with Content-Length or chunked bodies.
 */
final class NodeConnections implements AutoCloseable {
    private static final long IDLE_LIMIT_NANOS = 15_000_000_000L; // below Jetty's idle timeout
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 256 * 1024 * 1024;

    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<String, Set<Connection>> busy = new ConcurrentHashMap<>();

    /** An answer: status, lower-case header names, body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** The request was written, then the connection failed: the other side may have run it. */
    static final class LostAfterSending extends IOException {
        LostAfterSending(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long lastUsedNanos = System.nanoTime();
        volatile boolean abandoned;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing left to do.
            }
        }
    }

    /**
     * POSTs to {@code baseUrl + path}. A reused connection that turns out to be closed before any
     * answer byte arrives is replaced once by a fresh one (the server had closed it while idle, so it
     * never saw the request).
     */
    Response post(String baseUrl, String path, Map<String, String> headers, byte[] body, long timeoutMillis) throws IOException {
        URI uri = URI.create(baseUrl);
        String key = uri.getHost() + ":" + uri.getPort();
        Connection connection = takeIdle(key);
        boolean reused = connection != null;
        if (connection == null) {
            connection = open(uri, timeoutMillis);
        }
        try {
            return exchange(key, uri, connection, path, headers, body, timeoutMillis);
        } catch (StaleConnection stale) {
            if (!reused) {
                throw new LostAfterSending("connection closed before an answer", stale);
            }
            return exchange(key, uri, open(uri, timeoutMillis), path, headers, body, timeoutMillis);
        }
    }

    /** Closes every connection to {@code host:port}, failing the calls waiting on them now. */
    void abandon(String baseUrl) {
        URI uri = URI.create(baseUrl);
        String key = uri.getHost() + ":" + uri.getPort();
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

    private static final class StaleConnection extends IOException {
        StaleConnection(Throwable cause) {
            super(cause);
        }
    }

    private Response exchange(String key, URI uri, Connection connection, String path, Map<String, String> headers,
            byte[] body, long timeoutMillis) throws IOException {
        Set<Connection> inUse = busy.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
        inUse.add(connection);
        boolean keep = false;
        try {
            connection.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis)));
            StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                    .append(uri.getHost()).append(':').append(uri.getPort()).append("\r\nContent-Length: ").append(body.length)
                    .append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] request = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            try {
                connection.out.write(request);
                connection.out.flush();
            } catch (IOException e) {
                throw connection.abandoned ? new LostAfterSending(key + " left the cluster", e) : new StaleConnection(e);
            }
            int first;
            try {
                first = connection.in.read();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw connection.abandoned ? new LostAfterSending(key + " left the cluster", e) : new StaleConnection(e);
            }
            if (first < 0) {
                throw new StaleConnection(new EOFException("closed by " + key));
            }
            Response response;
            try {
                response = readResponse(first, connection.in);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new LostAfterSending("connection to " + key + " broke while answering", e);
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

    private Connection takeIdle(String key) {
        Deque<Connection> pooled = idle.get(key);
        if (pooled == null) {
            return null;
        }
        Connection connection;
        while ((connection = pooled.poll()) != null) {
            if (System.nanoTime() - connection.lastUsedNanos < IDLE_LIMIT_NANOS && !connection.socket.isClosed()) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    private static Connection open(URI uri, long timeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) Math.min(2_000, Math.max(1, timeoutMillis)));
        return new Connection(socket);
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
