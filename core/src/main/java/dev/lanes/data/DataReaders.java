package dev.lanes.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Readers for the formats lanes trains on. Every reader validates its input and throws
 * {@link dev.lanes.io.CorruptFileException} naming the file and the position of the first problem,
 * before any dataset is built. Features come back as raw values (pixels 0..255, digits 0..16);
 * callers scale with {@link Dataset#scaled(float)}. Files may be gzip-compressed whatever their
 * name: compression is told by the magic bytes {@code 1f 8b}.
 */
public final class DataReaders {
    /** Resource path of the embedded digits set, relative to this class. */
    static final String DIGITS_RESOURCE = "digits.csv.gz";

    private DataReaders() {
    }

    /**
     * The embedded digits set: the 1,797-sample test part of the UCI "Optical Recognition of
     * Handwritten Digits" data (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0, see NOTICE). Each sample is
     * an 8x8 image of values 0..16, row by row; 10 classes.
     */
    public static Dataset digits() throws IOException {
        byte[] gz;
        try (InputStream in = DataReaders.class.getResourceAsStream(DIGITS_RESOURCE)) {
            if (in == null) {
                throw new NoSuchFileException(DIGITS_RESOURCE, null, "resource missing from the lanes-core jar");
            }
            gz = in.readAllBytes();
        }
        // Named "digits" in messages and in the dataset, since the resource has no path of its own.
        Path name = Path.of("digits");
        return CsvReader.read(name, Inputs.readAll(name, gz), -1);
    }

    /**
     * An IDX image file ({@code 0x00000803}: unsigned bytes, n x rows x columns) and its label file
     * ({@code 0x00000801}: n unsigned bytes), as in MNIST and Fashion-MNIST. Each sample has
     * rows x columns features, the pixel values 0..255; the number of classes is the largest label + 1.
     */
    public static Dataset idx(Path images, Path labels) throws IOException {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        return IdxReader.read(images, labels);
    }

    /**
     * A directory holding MNIST-style files: {@code train} picks {@code train-images-idx3-ubyte} and
     * {@code train-labels-idx1-ubyte}, otherwise {@code t10k-*} (or {@code test-*}). Each name may end
     * in {@code .gz}, and {@code .idx3-ubyte} is accepted for {@code -idx3-ubyte}.
     */
    public static Dataset idxDirectory(Path dir, boolean train) throws IOException {
        return idxDirectory(dir, train, 1f);
    }

    /**
     * {@link #idxDirectory(Path, boolean)} with every feature scaled by {@code 1 / max} as it is read:
     * the bits of {@code idxDirectory(dir, train).scaled(max)}, without a second copy of the images
     * (188 MB of fresh memory for Fashion-MNIST's training set).
     */
    public static Dataset idxDirectory(Path dir, boolean train, float max) throws IOException {
        Dataset.checkMax(max);
        Objects.requireNonNull(dir, "dir");
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new FileSystemException(dir.toString(), null, "is a file; expected a directory that holds "
                    + "MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-...)");
        }
        List<String> prefixes = train ? List.of("train") : List.of("t10k", "test");
        String part = train ? "training" : "held-out";
        return IdxReader.read(find(dir, prefixes, part, "images", "idx3"), find(dir, prefixes, part, "labels", "idx1"),
                1f / max);
    }

    /**
     * The first of the accepted names that exists in {@code dir}; the exception names the directory,
     * which part was missing and every name looked for.
     */
    private static Path find(Path dir, List<String> prefixes, String part, String kind, String idxType)
            throws IOException {
        List<String> tried = new ArrayList<>();
        for (String prefix : prefixes) {
            for (String sep : List.of("-", ".")) {
                for (String gz : List.of(".gz", "")) {
                    String candidate = prefix + "-" + kind + sep + idxType + "-ubyte" + gz;
                    tried.add(candidate);
                    Path p = dir.resolve(candidate);
                    if (Files.isRegularFile(p)) {
                        return p;
                    }
                }
            }
        }
        throw new NoSuchFileException(dir.toString(), null, "no " + part + " " + kind + " file there; looked for "
                + String.join(", ", tried));
    }

    /**
     * A CSV file ({@code .gz} or plain) of numbers, one sample a row, no header or one header row;
     * {@code labelColumn} is the 0-based column of the integer label (negative counts from the end:
     * -1 is the last column). The number of classes is the largest label + 1.
     *
     * <p>The first row is a header exactly when one of its cells is not a number. Cells are plain
     * decimals (surrounding spaces allowed); blank lines may only come at the end.
     *
     * @throws IllegalArgumentException if {@code labelColumn} is outside the file's columns
     */
    public static Dataset csv(Path file, int labelColumn) throws IOException {
        Objects.requireNonNull(file, "file");
        return CsvReader.read(file, Inputs.readAll(file), labelColumn);
    }

    /**
     * Rows to predict: CSV text as {@link #csv} reads it (gzip or plain, at most one header row, plain
     * decimals; blank lines are skipped here), but every column is a feature, except {@code ignoredColumn} if it is not null (a
     * label column to leave out, 0-based, negative from the end; its cells must still be numbers).
     * The whole input is read and checked before it is returned. The dataset's labels are all 0.
     *
     * @param name what messages call the input ("standard input", a file name)
     * @throws dev.lanes.io.CorruptFileException naming the line and column of the first bad cell, or
     *     if there are no rows
     * @throws IllegalArgumentException if {@code ignoredColumn} is outside the rows
     */
    public static Dataset csvFeatures(Path name, byte[] content, Integer ignoredColumn) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        return CsvReader.readFeatures(name, Inputs.readAll(name, content),
                ignoredColumn == null ? CsvReader.NO_LABEL : ignoredColumn);
    }
}
