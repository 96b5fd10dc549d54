package dev.lanes.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * CONTRACT (skeleton, to be implemented): readers for the formats lanes trains on. Every reader
 * validates its input and throws {@link dev.lanes.io.CorruptFileException} naming the file and the
 * position of the first problem. Features come back as raw values (pixels 0..255, digits 0..16);
 * callers scale with {@link Dataset#scaled(float)}.
 */
public final class DataReaders {
    private DataReaders() {
    }

    /** The embedded digits set (1,797 8x8 images, values 0..16, 10 classes), shipped as a resource. */
    public static Dataset digits() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * An IDX image file and its label file ({@code .gz} or plain), as in MNIST and Fashion-MNIST.
     */
    public static Dataset idx(Path images, Path labels) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * A directory holding the four MNIST-style files; {@code train} picks {@code train-*} or {@code t10k-*}.
     */
    public static Dataset idxDirectory(Path dir, boolean train) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * A CSV file ({@code .gz} or plain) of numbers, one sample a row, no header or one header row;
     * {@code labelColumn} is the 0-based column of the integer label (negative counts from the end:
     * -1 is the last column). The number of classes is the largest label + 1.
     */
    public static Dataset csv(Path file, int labelColumn) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
