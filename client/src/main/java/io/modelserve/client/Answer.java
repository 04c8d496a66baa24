package io.modelserve.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reads what a modelserve node answered: the envelope {@code {"status":1,"result":...}} or
 * {@code {"status":0,"error":"..."}}. Pure: status, header and body in, a value or an exception out.
 */
final class Answer {
    static final ObjectMapper JSON = new ObjectMapper();

    private Answer() {}

    /** The {@code result} of a successful call, or a {@link CallException} with the server's status and message. */
    static JsonNode result(int status, String retryAfter, String body) throws CallException {
        JsonNode envelope = parse(body);
        if (status == 200 && envelope != null && envelope.path("status").asInt(0) == 1) {
            return envelope.path("result");
        }
        throw failure(status, retryAfter, envelope, body);
    }

    /** The id in a queue receipt, {@code 202 {"id":"..."}}. */
    static String receipt(int status, String retryAfter, String body) throws CallException {
        JsonNode envelope = parse(body);
        if ((status == 202 || status == 200) && envelope != null && envelope.path("id").isTextual()) {
            return envelope.path("id").asText();
        }
        throw failure(status, retryAfter, envelope, body);
    }

    /**
     * A queued result: {@code 202} pending (null), {@code 200} done, any error status a failure.
     * A {@code 200} whose envelope says {@code "status":0} is a failure too (its {@code code}, else 500).
     */
    static QueueResult queued(int status, String body) {
        if (status == 202) {
            return null;
        }
        JsonNode envelope = parse(body);
        if (status == 200 && envelope != null && envelope.path("status").asInt(0) == 1) {
            return new QueueResult.Done(envelope.path("result"));
        }
        int code = status == 200 ? envelope == null ? 500 : envelope.path("code").asInt(500) : status;
        return new QueueResult.Failed(code, message(status, envelope, body));
    }

    private static CallException failure(int status, String retryAfter, JsonNode envelope, String body) {
        return new CallException(status, message(status, envelope, body), seconds(retryAfter));
    }

    private static String message(int status, JsonNode envelope, String body) {
        if (envelope != null && envelope.path("error").isTextual()) {
            return envelope.path("error").asText();
        }
        String text = body == null ? "" : body.strip();
        return "HTTP " + status + (text.isEmpty() ? "" : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static int seconds(String retryAfter) {
        if (retryAfter == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(retryAfter.strip()));
        } catch (NumberFormatException httpDate) {
            return 1;
        }
    }
}
