package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modelserve.agent.memory.InflightBudget;
import io.modelserve.agent.memory.RequestBodies;
import io.modelserve.agent.routing.ReplicaDirectory;
import io.modelserve.agent.routing.ReplicaRouter;
import io.modelserve.agent.routing.RouteTable;
import io.modelserve.agent.runtime.Replica;
import io.modelserve.agent.testing.Await;
import io.modelserve.agent.testing.RawHttp;
import io.modelserve.agent.testing.ReplicaFixture;
import io.modelserve.agent.testing.ScriptedBackend;
import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The memory a client can make the ingress hold, over real sockets: bodies are charged to the node's
 * budget before they are read, refused at once when it is full, and refunded when their connection
 * goes away; a declared length over max_body_bytes is refused before one byte of the body is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressMemoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY = 512 * 1024;
    private static final long BUDGET = 1024 * 1024;

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicaFixture fixture = new ReplicaFixture(meters);
    private final InflightBudget budget = new InflightBudget(() -> BUDGET);
    private final List<RawHttp> held = new ArrayList<>();
    private Ingress ingress;

    @BeforeAll
    void start() {
        DeploymentSpec echo = Specs.deployment("echo").methods("POST").build();
        RouteTable routes = new RouteTable();
        routes.update(List.of(echo));
        List<Replica> replicas = List.of(fixture.running(echo, "echo-1",
                new ScriptedBackend(request -> Map.of("bodyBytes", request.body().length))));
        ReplicaDirectory directory = new ReplicaDirectory() {
            @Override
            public List<Replica> running(String deployment) {
                return deployment.equals("echo") ? replicas : List.of();
            }

            @Override
            public boolean starting(String deployment) {
                return false;
            }
        };
        ingress = new Ingress("node-a", routes, new ReplicaRouter(directory), meters,
                new RequestBodies(() -> MAX_BODY, budget), () -> Map.of("status", "ok")).start("127.0.0.1", 0);
    }

    @AfterEach
    void release() throws Exception {
        for (RawHttp connection : held) {
            connection.close();
        }
        held.clear();
        Await.until("every body's bytes are refunded", () -> budget.used() == 0);
    }

    @AfterAll
    void stop() {
        ingress.close();
        fixture.close();
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeTheBodyIsSent() throws Exception {
        try (RawHttp client = new RawHttp("127.0.0.1", ingress.port())) {
            RawHttp.Response response = client.send(head(MAX_BODY + 1)).read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("content-type")).startsWith("application/json");
            assertThat(JSON.readTree(response.body()).path("error").asText()).contains("max_body_bytes");
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void heldBodiesFillTheBudgetThenNewBodiesAre503AtOnceAndSmallRequestsStillServed() throws Exception {
        long large = 480 * 1024;
        holdBody(large);
        holdBody(large);
        Await.until("two held bodies are charged", () -> budget.used() == 2 * large);

        try (RawHttp third = new RawHttp("127.0.0.1", ingress.port())) {
            RawHttp.Response response = third.send(head(large)).read();

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.header("retry-after")).isEqualTo("1");
            assertThat(response.header("content-type")).startsWith("application/json");
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("status").asInt()).isZero();
            assertThat(body.path("error").asText()).contains("max_inflight_bytes");
        }
        assertThat(postSmall().status()).isEqualTo(200);
    }

    @Test
    void closingHeldConnectionsRefundsTheirBytes() throws Exception {
        long large = 480 * 1024;
        holdBody(large);
        holdBody(large);
        Await.until("two held bodies are charged", () -> budget.used() == 2 * large);

        for (RawHttp connection : held) {
            connection.close();
        }
        held.clear();
        Await.until("the closed connections' bytes are refunded", () -> budget.used() == 0);

        try (RawHttp client = new RawHttp("127.0.0.1", ingress.port())) {
            client.send(head(large)).sendZeros(large);
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("result").path("bodyBytes").asLong()).isEqualTo(large);
        }
    }

    @Test
    void aChunkedBodyIsChargedAsItArrives() throws Exception {
        RawHttp client = new RawHttp("127.0.0.1", ingress.port());
        held.add(client);
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        client.send(Integer.toHexString(200_000) + "\r\n").sendZeros(200_000).send("\r\n");

        Await.until("the chunks that arrived are charged", () -> budget.used() >= 128 * 1024);
        assertThat(budget.used()).isLessThan(MAX_BODY + 1);
    }

    private void holdBody(long length) throws Exception {
        RawHttp client = new RawHttp("127.0.0.1", ingress.port());
        held.add(client);
        client.send(head(length)).sendZeros(length - 1);
    }

    private RawHttp.Response postSmall() throws Exception {
        try (RawHttp client = new RawHttp("127.0.0.1", ingress.port())) {
            return client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
                    + "{\"text\":\"hi\"}").read();
        }
    }

    private static String head(long contentLength) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + contentLength + "\r\n\r\n";
    }
}
