package io.modelserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The baseline of the overhead benchmark: a bare Javalin route doing what the no-op deployment does
 * behind modelserve's ingress, parse the JSON body and answer it in the same envelope. Javalin's
 * default configuration. Runs as its own JVM: {@code BareEcho <host> <port>}.
 */
public final class BareEcho {
    private BareEcho() {}

    public static void main(String[] args) {
        ObjectMapper json = new ObjectMapper();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
        });
        app.post("/echo", ctx -> {
            JsonNode params = json.readTree(ctx.bodyAsBytes());
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("status", 1);
            envelope.put("result", params);
            envelope.put("info", "bare");
            ctx.contentType("application/json").result(json.writeValueAsBytes(envelope));
        });
        app.start(args[0], Integer.parseInt(args[1]));
    }
}
