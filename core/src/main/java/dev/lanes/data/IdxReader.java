package dev.lanes.data;

import dev.lanes.io.CorruptFileException;
import java.io.IOException;
import java.io.InputStream;
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
    private static final int CHUNK = 1 << 16;

    private IdxReader() {
    }

    static Dataset read(Path images, Path labels) throws IOException {
        return read(images, labels, 1f);
    }

    /** With each pixel value multiplied by {@code scale} as it is read (the bits of {@link Dataset#scaled}). */
    static Dataset read(Path images, Path labels, float scale) throws IOException {
        try (Inputs.Input im = Inputs.open(images); Inputs.Input lb = Inputs.open(labels)) {
            return read(images, im, labels, lb, scale);
        }
    }

    static Dataset read(Path imagesName, byte[] images, Path labelsName, byte[] labels) throws IOException {
        try (Inputs.Input im = Inputs.open(imagesName, images); Inputs.Input lb = Inputs.open(labelsName, labels)) {
            return read(imagesName, im, labelsName, lb, 1f);
        }
    }

    private static Dataset read(Path imagesName, Inputs.Input images, Path labelsName, Inputs.Input labels,
                                float scale) throws IOException {
        int[] imageDims = header(imagesName, images.stream(), IMAGES_MAGIC, "images");
        int[] labelDims = header(labelsName, labels.stream(), LABELS_MAGIC, "labels");
        if (imageDims[0] != labelDims[0]) {
            throw new CorruptFileException(imagesName, "holds " + imageDims[0] + " images but " + labelsName
                    + " holds " + labelDims[0] + " labels");
        }
        int n = imageDims[0];
        int features = imageDims[1] * imageDims[2];
        float[] x = body(imagesName, images, 4 + 4 * 3, n * features, scale);
        float[] labelValues = body(labelsName, labels, 4 + 4, n, 1f);
        int[] y = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            y[i] = (int) labelValues[i];
            max = Math.max(max, y[i]);
        }
        // Every pixel is a byte times scale, and rounding is monotonic: none is above 255 * scale.
        return Dataset.owning(imagesName.getFileName().toString(), x, y, features, max + 1, Math.abs(255 * scale));
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

    /**
     * Reads exactly {@code count} unsigned bytes that start at file offset {@code start}, and checks
     * that nothing follows them. The bytes are widened to floats a chunk at a time, and the array
     * for them is only allocated once the file is known to be large enough to hold them.
     */
    private static float[] body(Path name, Inputs.Input in, int start, int count, float scale) throws IOException {
        if (count > in.maxBytes() - start) {
            throw new CorruptFileException(name, "truncated: the header promises " + count + " data bytes from byte "
                    + start + ", more than the " + in.maxBytes() + "-byte file can hold");
        }
        float[] values = new float[count];
        byte[] chunk = new byte[Math.min(count, CHUNK)];
        for (int done = 0; done < count; ) {
            int want = Math.min(chunk.length, count - done);
            int got = Inputs.readFully(name, in.stream(), chunk, 0, want);
            for (int i = 0; i < got; i++) {
                values[done + i] = (chunk[i] & 0xff) * scale;
            }
            done += got;
            if (got < want) {
                throw new CorruptFileException(name, "truncated: the header promises " + count + " data bytes from byte "
                        + start + " but only " + done + " follow");
            }
        }
        if (!Inputs.atEnd(name, in.stream())) {
            throw new CorruptFileException(name, "trailing data after byte " + ((long) start + count)
                    + ", where the header says the file ends");
        }
        return values;
    }

    private static int bigEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }
}
