package dev.lanes.data;

import dev.lanes.io.CorruptFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian magic {@code 00 00 08 d} (unsigned bytes,
 * {@code d} dimensions), {@code d} big-endian 32-bit sizes, then the bytes, first dimension slowest.
 */
final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    /** Most values a file may hold: a float per value must fit one Java array, with room to spare. */
    static final long MAX_VALUES = 1L << 30;

    private IdxReader() {
    }

    static Dataset read(Path images, Path labels) throws IOException {
        try (InputStream im = Inputs.open(images, Files.newInputStream(images));
                InputStream lb = Inputs.open(labels, Files.newInputStream(labels))) {
            return read(images, im, labels, lb);
        }
    }

    static Dataset read(Path imagesName, byte[] images, Path labelsName, byte[] labels) throws IOException {
        try (InputStream im = Inputs.open(imagesName, new ByteArrayInputStream(images));
                InputStream lb = Inputs.open(labelsName, new ByteArrayInputStream(labels))) {
            return read(imagesName, im, labelsName, lb);
        }
    }

    private static Dataset read(Path imagesName, InputStream images, Path labelsName, InputStream labels)
            throws IOException {
        int[] imageDims = header(imagesName, images, IMAGES_MAGIC, "images");
        int[] labelDims = header(labelsName, labels, LABELS_MAGIC, "labels");
        if (imageDims[0] != labelDims[0]) {
            throw new CorruptFileException(imagesName, "holds " + imageDims[0] + " images but " + labelsName
                    + " holds " + labelDims[0] + " labels");
        }
        int n = imageDims[0];
        int features = imageDims[1] * imageDims[2];
        byte[] pixels = body(imagesName, images, 4 + 4 * 3, (long) n * features);
        byte[] labelBytes = body(labelsName, labels, 4 + 4, n);

        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = pixels[i] & 0xff;
        }
        int[] y = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            y[i] = labelBytes[i] & 0xff;
            max = Math.max(max, y[i]);
        }
        return new Dataset(imagesName.getFileName().toString(), x, y, features, max + 1);
    }

    /** Checks the magic and the sizes; returns the sizes. */
    private static int[] header(Path name, InputStream in, int magic, String what) throws IOException {
        int dims = magic & 0xff;
        byte[] h = Inputs.readUpTo(name, in, 4 + 4 * dims);
        if (h.length < 4) {
            throw new CorruptFileException(name, "truncated: " + h.length + " bytes, too short for the IDX magic");
        }
        int found = bigEndianInt(h, 0);
        if (found != magic) {
            throw new CorruptFileException(name, String.format(
                    "bad magic 0x%08x at byte 0: IDX %s files start with 0x%08x (unsigned bytes, %d dimensions)",
                    found, what, magic, dims));
        }
        if (h.length != 4 + 4 * dims) {
            throw new CorruptFileException(name, "truncated header: " + h.length + " bytes, expected " + (4 + 4 * dims));
        }
        int[] sizes = new int[dims];
        long product = 1;
        for (int d = 0; d < dims; d++) {
            sizes[d] = bigEndianInt(h, 4 + 4 * d);
            if (sizes[d] <= 0) {
                throw new CorruptFileException(name, "dimension " + d + " (byte " + (4 + 4 * d) + ") is " + sizes[d]
                        + ", must be positive");
            }
            product *= sizes[d];
            if (product > MAX_VALUES) {
                throw new CorruptFileException(name, "dimensions multiply to more than " + MAX_VALUES
                        + " values (at dimension " + d + ", byte " + (4 + 4 * d) + ")");
            }
        }
        return sizes;
    }

    /** Reads exactly {@code count} bytes that start at file offset {@code start}, and nothing after them. */
    private static byte[] body(Path name, InputStream in, int start, long count) throws IOException {
        byte[] data = Inputs.readUpTo(name, in, (int) count);
        if (data.length < count) {
            throw new CorruptFileException(name, "truncated: the header promises " + count + " data bytes from byte "
                    + start + " but only " + data.length + " follow");
        }
        if (!Inputs.atEnd(name, in)) {
            throw new CorruptFileException(name, "trailing data after byte " + (start + count)
                    + ", where the header says the file ends");
        }
        return data;
    }

    private static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
