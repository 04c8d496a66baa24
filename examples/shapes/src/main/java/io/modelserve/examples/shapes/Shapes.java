package io.modelserve.examples.shapes;

import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.InvalidRequestException;
import io.modelserve.sdk.Request;
import io.modelserve.sdk.Response;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Serves a wildcard route ({@code route = shapes/*}) and answers by sub-path:
 * <ul>
 *   <li>{@code /shapes/square.png?size=8&color=ff0000}: a PNG of a filled square, as raw bytes with
 *       {@code Content-Type: image/png} and an {@code X-Shape} header; a size outside 1..512 or a
 *       colour that is not six hex digits is a 400 naming the parameter;</li>
 *   <li>{@code /shapes/items}: {@code {"created": ...}} answered 201 with a {@code Location} header;</li>
 *   <li>anything else, {@code /shapes} itself included: 404 naming the sub-path.</li>
 * </ul>
 */
public class Shapes implements AlgoBackend {

    @Override
    public void init(BackendContext context) {
        // Nothing to load: java.desktop draws the pictures.
    }

    @Override
    public Object inference(Request request) throws IOException {
        return switch (request.subPath()) {
            case "square.png" -> square(request);
            case "items" -> Response.json(Map.of("created", request.params().path("name").asText("unnamed")))
                    .withStatus(201).withHeader("Location", "/shapes/items/1");
            default -> throw new InvalidRequestException(404, "no shape '" + request.subPath() + "'; try /shapes/square.png or "
                    + "/shapes/items");
        };
    }

    private static Response square(Request request) throws IOException {
        int size = request.params().path("size").asInt(-1);
        if (!request.params().has("size") || size < 1 || size > 512) {
            throw new InvalidRequestException("parameter 'size' must be a whole number in 1..512, got "
                    + request.params().path("size"));
        }
        String color = request.params().path("color").asText("000000");
        if (!color.matches("[0-9a-fA-F]{6}")) {
            throw new InvalidRequestException("parameter 'color' must be six hex digits such as ff0000, got '" + color + "'");
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(new Color(Integer.parseInt(color, 16)));
        graphics.fillRect(0, 0, size, size);
        graphics.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return Response.bytes(png.toByteArray(), "image/png").withHeader("X-Shape", "square " + size);
    }
}
