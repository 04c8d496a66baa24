package io.modelserve.cluster.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.PooledJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * What Jetty answers on its own, before any handler runs (a request line that is not HTTP, a URI or
 * headers over the limit, an unknown HTTP version) or when a dispatch fails: the same
 * {@code {"status":0,"error":"..."}} envelope, as {@code application/json}, that every handler's error
 * is, instead of Jetty's HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = PooledJson.mapper();
    private static final HttpField JSON_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    public JsonErrorHandler() {
        setShowServlet(false);
        setShowStacks(false);
        setShowMessageInTitle(false);
    }

    /** The body of an error; public so tests and other servers say the same thing. */
    public static byte[] envelope(int status, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 0);
        body.put("error", describe(status, reason));
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            return "{\"status\":0,\"error\":\"error\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static String describe(int status, String reason) {
        String standard = HttpStatus.getMessage(status);
        String detail = reason == null || reason.isBlank() || reason.equals(standard) ? "" : ": " + reason;
        return "HTTP " + status + " " + standard + detail;
    }

    /** Answers to requests Jetty could not parse: no handler ever sees them. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (HttpStatus.hasNoBody(status)) {
            return null;
        }
        fields.put(JSON_TYPE);
        return ByteBuffer.wrap(envelope(status, reason));
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
            int code, String message) throws IOException {
        baseRequest.setHandled(true);
        if (HttpStatus.hasNoBody(code)) {
            return;
        }
        byte[] body = envelope(code, message);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
