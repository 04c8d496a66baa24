package io.modelserve.examples.ocr;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** PNG pictures of a text line, rendered black on white in a sans font and cropped to the ink plus a margin. */
final class TextLinePictures {
    private TextLinePictures() {}

    static byte[] png(String text, boolean upsideDown) throws IOException {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 32);
        FontRenderContext frc = new FontRenderContext(null, true, true);
        Rectangle2D bounds = font.getStringBounds(text, frc);
        int margin = 6;
        int width = (int) Math.ceil(bounds.getWidth()) + 2 * margin;
        int height = (int) Math.ceil(bounds.getHeight()) + 2 * margin;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            if (upsideDown) {
                g.rotate(Math.PI, width / 2.0, height / 2.0);
            }
            g.setColor(Color.BLACK);
            g.setFont(font);
            g.drawString(text, margin, margin + (float) -bounds.getY());
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
