package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.reconcile.FakeControllerStore;
import io.modelserve.controller.reconcile.OwnedState;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the admin/dashboard server answers on its own, over a raw socket: JSON envelopes, as
 * {@code application/json}, never Jetty's HTML or Javalin's text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminProtocolErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeControllerStore store = new FakeControllerStore();
    private AdminApi admin;

    @BeforeAll
    void start() {
        ConfigApplier applier = new ConfigApplier(store, OwnedState.inMemory(), new ConfigParser(Set.of("echo"), k -> null),
                () -> true, System::currentTimeMillis, () -> {});
        admin = new AdminApi(applier, () -> ClusterReport.of(store, "test", 0), () -> {}).start("127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        admin.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not http         | 400 | this is not http\\r\\n\\r\\n",
            "bad header       | 400 | GET /api/status HTTP/1.1\\r\\nHost: x\\r\\nno colon\\r\\n\\r\\n",
            "uri too long     | 414 | GET /LONG HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
            "headers too big  | 431 | GET /api/status HTTP/1.1\\r\\nHost: x\\r\\nX-Big: BIG\\r\\n\\r\\n",
            "unknown version  | 505 | GET /api/status HTTP/7.3\\r\\nHost: x\\r\\n\\r\\n",
            "unknown method   | 4 | BREW /api/status HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n"})
    void theServersOwnAnswersAreJson(String what, int status, String request) throws Exception {
        String wire = request.replace("\\r\\n", "\r\n").replace("LONG", "a".repeat(AdminApi.MAX_HEADER_BYTES + 100))
                .replace("BIG", "b".repeat(AdminApi.MAX_HEADER_BYTES + 100)).stripLeading();
        String response;
        try (Socket socket = new Socket("127.0.0.1", admin.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(wire.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);

        // An unknown method meets the admin API's own rules first (415 without a JSON content type): any 4xx.
        assertThat(head).startsWith("http/1.1 " + status);
        assertThat(head).contains("content-type: application/json");
        JsonNode envelope = JSON.readTree(body);
        assertThat(envelope.path("status").asInt(-1)).isZero();
        assertThat(envelope.path("error").asText()).isNotBlank();
    }
}
