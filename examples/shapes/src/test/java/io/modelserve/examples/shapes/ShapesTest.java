package io.modelserve.examples.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.testkit.RouteAnswer;
import io.modelserve.testkit.TestReplica;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin as its route answers, through the test kit: bytes, headers, statuses and sub-paths. */
class ShapesTest {
    private TestReplica replica;

    @BeforeEach
    void start() throws Exception {
        replica = io.modelserve.testkit.PluginUnderTest.of(Shapes.class).start();
    }

    @AfterEach
    void stop() throws Exception {
        replica.close();
    }

    private RouteAnswer at(String subPath, Map<String, String> query) {
        return replica.routeAt(subPath, "{}".getBytes(StandardCharsets.UTF_8), "application/json", query);
    }

    @Test
    void aSquareIsAPngWithItsHeader() throws Exception {
        RouteAnswer answer = at("square.png", Map.of("size", "8", "color", "ff0000"));

        assertThat(answer.httpStatus()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("image/png");
        assertThat(answer.headers()).containsEntry("X-Shape", "square 8");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(answer.bytes()));
        assertThat(image.getWidth()).isEqualTo(8);
        assertThat(image.getRGB(3, 3) & 0xffffff).isEqualTo(0xff0000);
    }

    @Test
    void badParametersAreA400NamingThem() {
        RouteAnswer answer = at("square.png", Map.of("size", "0"));

        assertThat(answer.httpStatus()).isEqualTo(400);
        assertThat(answer.error()).startsWith("parameter 'size' must be");
        assertThat(at("square.png", Map.of("size", "4", "color", "red")).error()).contains("parameter 'color'");
    }

    @Test
    void itemsAreCreatedAnswering201InTheEnvelope() {
        RouteAnswer answer = replica.routeAt("items", "{\"name\":\"box\"}".getBytes(StandardCharsets.UTF_8),
                "application/json", Map.of());

        assertThat(answer.httpStatus()).isEqualTo(201);
        assertThat(answer.headers()).containsEntry("Location", "/shapes/items/1");
        assertThat(answer.result().path("created").asText()).isEqualTo("box");
        assertThat(answer.json().path("status").asInt()).isEqualTo(1);
    }

    @Test
    void anUnknownSubPathIsA404() {
        assertThat(at("circle.svg", Map.of()).httpStatus()).isEqualTo(404);
        assertThat(at("", Map.of()).error()).contains("no shape ''");
    }
}
