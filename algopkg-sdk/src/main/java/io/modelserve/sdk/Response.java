package io.modelserve.sdk;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A result that shapes its own HTTP answer, returned by {@link AlgoBackend#inference(Request)} (or
 * placed in the list of {@link AlgoBackend#inferenceBatch}) instead of a plain value. Immutable:
 * every {@code with*} returns a new response.
 *
 * <ul>
 *   <li>{@link #json(Object)}: a JSON value; the route answers it in the usual envelope
 *       {@code {"status":1,"result":<value>,"info":...}}, or bare with {@code envelope = false};</li>
 *   <li>{@link #bytes(byte[], String)}: raw bytes with their content type (an image, CSV, protobuf),
 *       sent as they are, never enveloped.</li>
 * </ul>
 * Both answer 200 unless {@link #withStatus(int)} says otherwise, with the headers added by
 * {@link #withHeader(String, String)}. The same answer comes back when the request ran on a
 * replica on another node.
 *
 * <pre>{@code
 * return Response.bytes(png, "image/png").withHeader("Cache-Control", "max-age=60");
 * return Response.json(Map.of("id", id)).withStatus(201);
 * }</pre>
 */
public final class Response {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Set by the server from the body itself (or by {@link #bytes}): a plugin cannot contradict it. */
    private static final Set<String> RESERVED = Set.of("content-type", "content-length", "transfer-encoding",
            "connection", "content-encoding");
    private static final byte[] NONE = new byte[0];

    private final int status;
    private final Map<String, String> headers;
    private final Object json;
    private final byte[] bytes;
    private final String contentType;

    private Response(int status, Map<String, String> headers, Object json, byte[] bytes, String contentType) {
        this.status = status;
        this.headers = headers;
        this.json = json;
        this.bytes = bytes;
        this.contentType = contentType;
    }

    /** A JSON value (anything Jackson serialises, null included), answered 200 in the route's envelope. */
    public static Response json(Object value) {
        return new Response(200, Map.of(), value, null, "application/json");
    }

    /**
     * Raw bytes, answered 200 as they are with {@code Content-Type: contentType}.
     *
     * @throws IllegalArgumentException if {@code contentType} is blank or spans lines
     */
    public static Response bytes(byte[] body, String contentType) {
        Objects.requireNonNull(body, "body");
        if (contentType == null || contentType.isBlank() || !singleLine(contentType)) {
            throw new IllegalArgumentException("Response.bytes needs a content type such as image/png, got " + contentType);
        }
        return new Response(200, Map.of(), null, body.clone(), contentType.strip());
    }

    /**
     * This response with HTTP status {@code status}, 200..599.
     *
     * @throws IllegalArgumentException outside 200..599 (1xx are the server's own)
     */
    public Response withStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a response status must be 200..599, got " + status);
        }
        return new Response(status, headers, json, bytes, contentType);
    }

    /**
     * This response with one more header (a later value for the same name, in any case, replaces it).
     *
     * @throws IllegalArgumentException for a name that is not an HTTP token, a value that spans lines, or
     *                                  a header the server sets itself: Content-Type (see {@link #bytes}),
     *                                  Content-Length, Content-Encoding, Transfer-Encoding, Connection
     */
    public Response withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!HEADER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an HTTP header name: " + name);
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(name + " is set by the server; a content type is given to Response.bytes");
        }
        if (!singleLine(value)) {
            throw new IllegalArgumentException("header " + name + " has a value that spans lines");
        }
        Map<String, String> more = new LinkedHashMap<>();
        headers.forEach((key, old) -> {
            if (!key.equalsIgnoreCase(name)) {
                more.put(key, old);
            }
        });
        more.put(name, value);
        return new Response(status, Collections.unmodifiableMap(more), json, bytes, contentType);
    }

    /** The HTTP status, 200 unless {@link #withStatus} changed it. */
    public int status() {
        return status;
    }

    /** The headers added, in the order added; unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Whether this is a JSON value ({@link #json(Object)}) rather than raw bytes. */
    public boolean isJson() {
        return bytes == null;
    }

    /** The JSON value of a {@link #json(Object)} response; null for raw bytes (or a JSON null). */
    public Object jsonValue() {
        return json;
    }

    /** A copy of the raw bytes of a {@link #bytes} response; empty for a JSON one. */
    public byte[] bytes() {
        return bytes == null ? NONE : bytes.clone();
    }

    /** The raw bytes' content type, or {@code application/json} for a JSON value. */
    public String contentType() {
        return contentType;
    }

    private static boolean singleLine(String text) {
        return text.indexOf('\r') < 0 && text.indexOf('\n') < 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Response that && status == that.status && headers.equals(that.headers)
                && Objects.equals(json, that.json) && Arrays.equals(bytes, that.bytes) && contentType.equals(that.contentType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, json, Arrays.hashCode(bytes), contentType);
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + contentType + (isJson() ? ", json" : ", " + bytes.length + " bytes") + ", headers="
                + headers + "]";
    }
}
