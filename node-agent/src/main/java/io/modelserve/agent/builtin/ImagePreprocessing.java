package io.modelserve.agent.builtin;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * Turns an encoded image into one row of a model input: decode, resize, scale pixels to 0..1, subtract
 * mean and divide by std per channel, lay out as CHW or HWC in RGB or BGR order.
 *
 * <p>{@code resize = stretch} fills height x width whatever the aspect ratio (classic ImageNet-style
 * classifiers); {@code resize = pad} keeps the aspect ratio, scales to the height, caps the width and
 * leaves the rest of the row 0 after normalisation, as PaddleOCR's text classifiers are trained.
 */
record ImagePreprocessing(int height, int width, boolean pad, float[] mean, float[] std, boolean bgr, boolean nhwc) {

    /**
     * @param modelShape the model's image input, e.g. [-1, 3, 48, 192], for what the options leave out
     */
    static ImagePreprocessing of(Map<String, String> options, long[] modelShape) {
        if (modelShape.length != 4) {
            throw new IllegalArgumentException("builtin:image-classifier needs a model whose first input is an image"
                    + " batch of rank 4 (NCHW or NHWC), got shape " + OpenInference.shapeText(modelShape));
        }
        boolean nhwc = Optional.ofNullable(options.get("layout")).map(l -> l.strip().equalsIgnoreCase("NHWC"))
                .orElse(modelShape[3] == 3 && modelShape[1] != 3);
        long modelHeight = nhwc ? modelShape[1] : modelShape[2];
        long modelWidth = nhwc ? modelShape[2] : modelShape[3];
        int[] size;
        if (options.containsKey("input_size")) {
            size = BuiltinOptionChecks.size(options.get("input_size"));
        } else if (modelHeight > 0 && modelWidth > 0) {
            size = new int[] {(int) modelHeight, (int) modelWidth};
        } else {
            throw new IllegalArgumentException("the model leaves its image size free ("
                    + OpenInference.shapeText(modelShape) + "): set input_size = <height>x<width>");
        }
        boolean pad = Optional.ofNullable(options.get("resize")).map(r -> r.strip().equalsIgnoreCase("pad")).orElse(false);
        float[] mean = BuiltinOptionChecks.triple(options.getOrDefault("mean", "0,0,0"));
        float[] std = BuiltinOptionChecks.positiveTriple(options.getOrDefault("std", "1,1,1"));
        boolean bgr = options.getOrDefault("channel_order", "RGB").strip().equalsIgnoreCase("BGR");
        return new ImagePreprocessing(size[0], size[1], pad, mean, std, bgr, nhwc);
    }

    long[] shape(int images) {
        return nhwc ? new long[] {images, height, width, 3} : new long[] {images, 3, height, width};
    }

    int rowLength() {
        return 3 * height * width;
    }

    /** @throws IllegalArgumentException when the bytes are not an image ImageIO can read (JPEG, PNG, BMP, GIF) */
    static BufferedImage decode(byte[] encoded) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the image cannot be decoded: " + e.getMessage());
        }
        if (image == null) {
            throw new IllegalArgumentException("the body is not a JPEG or PNG image (" + encoded.length + " bytes)");
        }
        return image;
    }

    /** Writes one image's normalised values into {@code into} at {@code offset}. */
    void write(BufferedImage image, float[] into, int offset) {
        int targetWidth = width;
        if (pad) {
            double ratio = (double) image.getWidth() / Math.max(image.getHeight(), 1);
            targetWidth = (int) Math.max(1, Math.min(width, Math.ceil(height * ratio)));
        }
        BufferedImage resized = new BufferedImage(targetWidth, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = resized.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.drawImage(image, 0, 0, targetWidth, height, null);
        graphics.dispose();
        int[] pixels = resized.getRGB(0, 0, targetWidth, height, null, 0, targetWidth);
        int plane = height * width;
        // Padding keeps the zeros the array starts with; a reused array must be cleared first.
        java.util.Arrays.fill(into, offset, offset + rowLength(), 0f);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < targetWidth; x++) {
                int rgb = pixels[y * targetWidth + x];
                float red = ((rgb >> 16) & 0xff) / 255f;
                float green = ((rgb >> 8) & 0xff) / 255f;
                float blue = (rgb & 0xff) / 255f;
                for (int c = 0; c < 3; c++) {
                    float channel = c == 1 ? green : (c == 0) != bgr ? red : blue;
                    int index = nhwc ? offset + (y * width + x) * 3 + c : offset + c * plane + y * width + x;
                    into[index] = (channel - mean[c]) / std[c];
                }
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%dx%d %s %s %s", height, width, pad ? "pad" : "stretch",
                bgr ? "BGR" : "RGB", nhwc ? "NHWC" : "NCHW");
    }
}
