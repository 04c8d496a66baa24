package io.modelserve.examples.ocr;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * A decoded image of one text line, as opaque RGB pixels, and the tensors PaddleOCR feeds its models.
 *
 * <p>The preprocessing is PaddleOCR's {@code resize_norm_img}: resize to height 48 keeping the aspect
 * ratio (bilinear, pixel centres as OpenCV places them), scale each channel to {@code (x/255 - 0.5)/0.5},
 * zero-pad on the right to the model's width. Channels go in B, G, R order because PaddleOCR trains on
 * OpenCV images, which are BGR.
 */
final class LineImage {
    static final int HEIGHT = 48;
    /** Beyond this width:height the picture is a page or a paragraph, not a line. */
    static final int MAX_ASPECT = 80;

    private final int width;
    private final int height;
    private final int[] rgb;

    private LineImage(int width, int height, int[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Decodes PNG, JPEG, BMP or GIF bytes; transparent pixels are put on white. */
    static LineImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("no image: POST the picture of a text line as the body (Content-Type: image/png or image/jpeg)");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable image: " + e.getMessage());
        }
        if (image == null) {
            throw new IllegalArgumentException("the body is not an image this plugin can read (PNG, JPEG, BMP, GIF)");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("empty image: " + w + "x" + h);
        }
        if (w > (long) h * MAX_ASPECT) {
            throw new IllegalArgumentException("a " + w + "x" + h + " image is not a single text line (width more than "
                    + MAX_ASPECT + " times its height); crop the lines first");
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            argb[i] = onWhite(argb[i]);
        }
        return new LineImage(w, h, argb);
    }

    private static int onWhite(int argb) {
        int alpha = argb >>> 24;
        if (alpha == 255) {
            return argb & 0xFFFFFF;
        }
        int r = blend((argb >> 16) & 0xFF, alpha);
        int g = blend((argb >> 8) & 0xFF, alpha);
        int b = blend(argb & 0xFF, alpha);
        return (r << 16) | (g << 8) | b;
    }

    private static int blend(int channel, int alpha) {
        return (channel * alpha + 255 * (255 - alpha) + 127) / 255;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The same line turned upside down. */
    LineImage rotated180() {
        int[] turned = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            turned[rgb.length - 1 - i] = rgb[i];
        }
        return new LineImage(width, height, turned);
    }

    /** PNG bytes of this image, to hand it on to another deployment. */
    byte[] png() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Width after resizing to {@link #HEIGHT} with the aspect ratio kept, as PaddleOCR rounds it (up). */
    int resizedWidth() {
        return (int) Math.ceil(HEIGHT * (double) width / height);
    }

    /**
     * A {@code 3 x 48 x paddedWidth} CHW tensor: the image resized to {@code min(resizedWidth(), paddedWidth)}
     * columns, normalised, zero (mid grey) to the right.
     */
    float[] tensor(int paddedWidth) {
        int w = Math.max(1, Math.min(resizedWidth(), paddedWidth));
        float[] chw = new float[3 * HEIGHT * paddedWidth];
        int plane = HEIGHT * paddedWidth;
        double scaleX = (double) width / w;
        double scaleY = (double) height / HEIGHT;
        for (int y = 0; y < HEIGHT; y++) {
            double sy = Math.max((y + 0.5) * scaleY - 0.5, 0);
            int y0 = Math.min((int) sy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            double fy = Math.min(sy - y0, 1);
            for (int x = 0; x < w; x++) {
                double sx = Math.max((x + 0.5) * scaleX - 0.5, 0);
                int x0 = Math.min((int) sx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                double fx = Math.min(sx - x0, 1);
                int p00 = rgb[y0 * width + x0];
                int p01 = rgb[y0 * width + x1];
                int p10 = rgb[y1 * width + x0];
                int p11 = rgb[y1 * width + x1];
                int at = y * paddedWidth + x;
                // B, G, R: the channel order the PaddleOCR models were trained on.
                chw[at] = normalised(bilinear(p00, p01, p10, p11, 0, fx, fy));
                chw[plane + at] = normalised(bilinear(p00, p01, p10, p11, 8, fx, fy));
                chw[2 * plane + at] = normalised(bilinear(p00, p01, p10, p11, 16, fx, fy));
            }
        }
        return chw;
    }

    private static double bilinear(int p00, int p01, int p10, int p11, int shift, double fx, double fy) {
        double top = ((p00 >> shift) & 0xFF) * (1 - fx) + ((p01 >> shift) & 0xFF) * fx;
        double bottom = ((p10 >> shift) & 0xFF) * (1 - fx) + ((p11 >> shift) & 0xFF) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static float normalised(double value) {
        return (float) ((value / 255.0 - 0.5) / 0.5);
    }
}
