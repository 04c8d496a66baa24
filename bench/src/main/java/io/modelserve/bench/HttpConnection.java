package io.modelserve.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket, sending one fixed request again and again.
 * Deliberately minimal (status line, Content-Length or chunked bodies, nothing else), so that the load
 * generator costs little of the CPU it shares with the server under test.
 */
final class HttpConnection implements AutoCloseable {
    private final InetSocketAddress address;
    private final byte[] request;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] drain = new byte[64 * 1024];

    HttpConnection(InetSocketAddress address, byte[] request) {
        this.address = address;
        this.request = request;
    }

    /** A POST of {@code body} to {@code path}, ready to send on every call. */
    static byte[] post(String host, String path, String contentType, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Sends the request and reads the whole response; returns its status. */
    int exchange() throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }
        out.write(request);
        out.flush();
        String statusLine = line();
        if (statusLine.length() < 12) {
            throw new IOException("bad status line: '" + statusLine + "'");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long chunk = Long.parseLong(line().split(";", 2)[0].trim(), 16); chunk > 0;
                    chunk = Long.parseLong(line().split(";", 2)[0].trim(), 16)) {
                skip(chunk);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            skip(length);
        } else {
            close = true;
            while (in.read(drain) >= 0) {
                // body until close
            }
        }
        if (close) {
            close();
        }
        return status;
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            int n = in.read(drain, 0, (int) Math.min(drain.length, left));
            if (n < 0) {
                throw new IOException("connection closed in a body");
            }
            left -= n;
        }
    }

    private final StringBuilder lineBuffer = new StringBuilder(128);

    private String line() throws IOException {
        lineBuffer.setLength(0);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b == '\n') {
                int end = lineBuffer.length();
                if (end > 0 && lineBuffer.charAt(end - 1) == '\r') {
                    lineBuffer.setLength(end - 1);
                }
                return lineBuffer.toString();
            }
            lineBuffer.append((char) b);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            socket = null;
        }
    }
}
