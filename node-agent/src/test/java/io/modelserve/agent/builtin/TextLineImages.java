package io.modelserve.agent.builtin;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Images like the text-line crops PaddleOCR's direction classifier sees: dark text on a light
 * background, about 4:1, rendered with java.awt without a display.
 */
final class TextLineImages {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private TextLineImages() {}

    static BufferedImage upright(String text) {
        BufferedImage image = new BufferedImage(384, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(235, 235, 228));
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(new Color(20, 20, 30));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 56));
        g.drawString(text, 10, 70);
        g.dispose();
        return image;
    }

    /** The same line turned by 180 degrees. */
    static BufferedImage upsideDown(BufferedImage upright) {
        int width = upright.getWidth();
        int height = upright.getHeight();
        BufferedImage turned = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                turned.setRGB(width - 1 - x, height - 1 - y, upright.getRGB(x, y));
            }
        }
        return turned;
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] jpeg(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "jpg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
