package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plugin that shapes its answers (examples/shapes, algopkg/Shapes.jar) behind a head started by
 * {@code bin/modelserve start}, on wildcard routes: a PNG with a header, a 400, a 201 with a
 * Location, a sub-path, and the same plugin again with {@code envelope = false} and in a child JVM
 * ({@code isolation = process}). The head has no
 * room for replicas, so every request sent to the head crosses a hop to the agent's replicas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShapedResponsesE2ETest {
    private static final String SHAPES = """
            [algopkg.Shapes]
            backend = io.modelserve.examples.shapes.Shapes
            cpu_cost = 0.1
            route = shapes/*

            [algopkg.BareShapes]
            backend = io.modelserve.examples.shapes.Shapes
            cpu_cost = 0.1
            route = /bare/*
            envelope = false

            [algopkg.IsolatedShapes]
            backend = io.modelserve.examples.shapes.Shapes
            cpu_cost = 0.1
            route = isolated/*
            isolation = process
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    RunningHead head;
    RunningNode agent;

    @BeforeAll
    void startCluster() throws Exception {
        java.nio.file.Path dir = RunningHead.scratchDir(getClass());
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        workspace.copyPlugin("Shapes", "BareShapes");
        workspace.copyPlugin("Shapes", "IsolatedShapes");
        workspace.writeConf("conf.ini", SHAPES);
        head = workspace.start("conf.ini", "--cpus", "0", "--gpus", "0");
        agent = RunningNode.agent(dir, workspace, head.nextAddress(), "--cpus", "2", "--gpus", "0");
        head.awaitDeploymentsReady(3);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (head != null) {
            head.close();
        }
    }

    private HttpResponse<byte[]> get(String bind, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + bind + ":" + head.port + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"box\"}"))
                .header("Content-Type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aPngComesBackAsRawBytesWithItsTypeAndHeaderAcrossTheHop() throws Exception {
        for (String bind : new String[] {head.bind, agent.bind}) {
            HttpResponse<byte[]> response = get(bind, "/shapes/square.png?size=8&color=00ff00");

            assertThat(response.statusCode()).as(bind).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(response.headers().firstValue("X-Shape")).hasValue("square 8");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
            assertThat(image.getWidth()).isEqualTo(8);
            assertThat(image.getRGB(4, 4) & 0xffffff).isEqualTo(0x00ff00);
        }
    }

    @Test
    void aPluginInAChildJvmAnswersAlike() throws Exception {
        HttpResponse<byte[]> png = get(head.bind, "/isolated/square.png?size=3&color=0000ff");
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(png.headers().firstValue("X-Shape")).hasValue("square 3");
        assertThat(ImageIO.read(new ByteArrayInputStream(png.body())).getRGB(1, 1) & 0xffffff).isEqualTo(0x0000ff);

        HttpResponse<byte[]> bad = get(head.bind, "/isolated/square.png");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(RunningHead.JSON.readTree(bad.body()).path("error").asText()).startsWith("parameter 'size'");
        assertThat(get(head.bind, "/isolated/items").statusCode()).isEqualTo(201);
    }

    @Test
    void badInputIsA400WithThePluginsMessageInTheEnvelope() throws Exception {
        HttpResponse<byte[]> response = get(head.bind, "/shapes/square.png?size=9999");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = RunningHead.JSON.readTree(response.body());
        assertThat(body.path("status").asInt()).isZero();
        assertThat(body.path("error").asText()).startsWith("parameter 'size' must be a whole number in 1..512");
        assertThat(get(head.bind, "/shapes/circle").statusCode()).isEqualTo(404);
    }

    @Test
    void aJsonResponseKeepsItsStatusHeaderAndEnvelope() throws Exception {
        HttpResponse<byte[]> response = get(head.bind, "/shapes/items");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/shapes/items/1");
        JsonNode body = RunningHead.JSON.readTree(response.body());
        assertThat(body.path("result").path("created").asText()).isEqualTo("box");
        assertThat(body.path("info").asText()).startsWith("node-" + agent.bind + "/Shapes-");
    }

    @Test
    void withoutTheEnvelopeTheResultIsTheBodyAndAnErrorIsJustItsMessage() throws Exception {
        HttpResponse<byte[]> created = get(head.bind, "/bare/items");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(new String(created.body())).isEqualTo("{\"created\":\"box\"}");

        HttpResponse<byte[]> bad = get(head.bind, "/bare/square.png?size=4&color=red");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).isEqualTo("{\"error\":\"parameter 'color' must be six hex digits such as ff0000,"
                + " got 'red'\"}");

        assertThat(get(head.bind, "/bare/square.png?size=2").headers().firstValue("Content-Type")).hasValue("image/png");
    }
}
