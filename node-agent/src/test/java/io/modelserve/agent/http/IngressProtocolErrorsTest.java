package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.RawHttp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What the HTTP server answers on its own, to requests no handler sees: JSON like every other error. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressProtocolErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Ingress ingress;

    @BeforeAll
    void start() {
        ReplicaDirectory none = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return List.of();
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }
        };
        ingress = new Ingress("node-a", new RouteTable(), new ReplicaRouter(none),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), RequestBodies.of(1024), () -> Map.of("status", "ok"))
                .start("127.0.0.1", 0);
    }

    @AfterAll
    void stop() {
        ingress.close();
    }

    @Test
    void aRequestLineThatIsNotHttpIs400Json() throws Exception {
        assertJsonError(send("this is not http\r\n\r\n"), 400);
    }

    @Test
    void aBadHeaderIs400Json() throws Exception {
        assertJsonError(send("GET /-/healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"), 400);
    }

    @Test
    void aUriTooLongIs414Json() throws Exception {
        assertJsonError(send("GET /" + "a".repeat(Ingress.MAX_HEADER_BYTES + 100) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
    }

    @Test
    void headersTooLargeAre431Json() throws Exception {
        assertJsonError(send("GET /-/healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(Ingress.MAX_HEADER_BYTES + 100)
                + "\r\n\r\n"), 431);
    }

    @Test
    void anUnknownHttpVersionIs505Json() throws Exception {
        assertJsonError(send("GET /-/healthz HTTP/7.3\r\nHost: x\r\n\r\n"), 505);
    }

    @Test
    void anUnknownMethodIsAJsonError() throws Exception {
        RawHttp.Response response = send("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response.status()).isBetween(400, 499);
        assertJsonError(response, response.status());
    }

    private RawHttp.Response send(String request) throws Exception {
        try (RawHttp client = new RawHttp("127.0.0.1", ingress.port())) {
            return client.send(request).read();
        }
    }

    private static void assertJsonError(RawHttp.Response response, int status) throws Exception {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("content-type")).as(response.toString()).startsWith("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asInt(-1)).isZero();
        assertThat(body.path("error").asText()).isNotBlank();
    }
}
