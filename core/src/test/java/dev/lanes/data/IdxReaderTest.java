package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.io.CorruptFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    /** An IDX file: big-endian magic, big-endian sizes, then the bytes. */
    static byte[] idx(int magic, int[] dims, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(body).array();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] randomBytes(int n, int bound, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(bound);
        }
        return b;
    }

    @Test
    void readsPixelsAndLabelsPlainOrGzipWhateverTheName() throws IOException {
        byte[] pixels = randomBytes(5 * 3 * 4, 256, 1);
        byte[] labels = {0, 6, 2, 6, 1};
        byte[] im = idx(IdxReader.IMAGES_MAGIC, new int[] {5, 3, 4}, pixels);
        byte[] lb = idx(IdxReader.LABELS_MAGIC, new int[] {5}, labels);
        // gzip is told by content: a compressed file without .gz and a plain one with it both read.
        Dataset[] reads = {
            DataReaders.idx(file("a-images", im), file("a-labels", lb)),
            DataReaders.idx(file("b-images", gzip(im)), file("b-labels.gz", lb)),
        };
        for (Dataset d : reads) {
            assertEquals(5, d.size());
            assertEquals(12, d.features());
            assertEquals(7, d.classes(), "largest label + 1");
            float[] expected = new float[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                expected[i] = pixels[i] & 0xff;
            }
            assertArrayEquals(expected, d.featuresArray());
            assertEquals(255f, d.featureBound(), "what a byte can hold");
            for (int i = 0; i < labels.length; i++) {
                assertEquals(labels[i], d.label(i));
            }
        }
    }

    @Test
    void directoryFindsTrainAndTestFiles() throws IOException {
        file("train-images-idx3-ubyte.gz", gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {2, 2, 2}, new byte[8])));
        file("train-labels-idx1-ubyte.gz", gzip(idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 0})));
        file("t10k-images.idx3-ubyte", idx(IdxReader.IMAGES_MAGIC, new int[] {3, 1, 1}, new byte[3]));
        file("t10k-labels.idx1-ubyte", idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 0, 2}));
        assertEquals(2, DataReaders.idxDirectory(dir, true).size());
        Dataset test = DataReaders.idxDirectory(dir, false);
        assertEquals(3, test.size());
        assertEquals(3, test.classes());
        assertThrows(NoSuchFileException.class, () -> DataReaders.idxDirectory(dir.resolve("missing"), true));
        Files.delete(dir.resolve("t10k-labels.idx1-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> DataReaders.idxDirectory(dir, false));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
    }

    @Test
    void scalingWhileReadingGivesTheBitsOfScalingAfterAndRejectsABadMax() throws IOException {
        byte[] pixels = randomBytes(5 * 7 * 3, 256, 11);
        file("train-images-idx3-ubyte", idx(IdxReader.IMAGES_MAGIC, new int[] {5, 7, 3}, pixels));
        file("train-labels-idx1-ubyte", idx(IdxReader.LABELS_MAGIC, new int[] {5}, new byte[] {4, 0, 2, 1, 3}));
        Dataset raw = DataReaders.idxDirectory(dir, true);
        for (float max : new float[] {255f, 16f, 3.7f, 1e-3f}) {
            Dataset after = raw.scaled(max);
            Dataset during = DataReaders.idxDirectory(dir, true, max);
            assertEquals(after.size(), during.size());
            assertEquals(after.classes(), during.classes());
            for (int i = 0; i < after.size(); i++) {
                assertEquals(after.label(i), during.label(i));
            }
            float[] a = after.featuresArray();
            float[] d = during.featuresArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(d[i]), "max " + max + ", value " + i);
                assertTrue(Math.abs(d[i]) <= during.featureBound(), "max " + max + ", value " + i);
            }
            assertEquals(255f * (1f / max), during.featureBound(), "max " + max);
        }
        for (float bad : new float[] {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataReaders.idxDirectory(dir, true, bad));
            assertTrue(e.getMessage().startsWith("max must be positive and finite"), e.getMessage());
        }
    }

    @Test
    void aDataSetKeepsItsOwnCopyOfTheCallersArrays() {
        float[] x = {1f, 2f, 3f, 4f};
        int[] labels = {0, 1};
        Dataset d = new Dataset("d", x, labels, 2, 2);
        x[0] = 99f;
        labels[1] = 0;
        assertEquals(1f, d.featuresArray()[0]);
        assertEquals(1, d.label(1));
        Dataset scaled = d.scaled(2f);
        assertEquals(0.5f, scaled.featuresArray()[0]);
        assertEquals(1f, d.featuresArray()[0], "scaling leaves the original as it was");
    }

    /** What was looked for, and where: the command line prints these messages as they are. */
    @Test
    void aDirectoryWithoutTheFilesOrAFileInsteadSaysWhatWasLookedFor() throws IOException {
        String m = assertThrows(NoSuchFileException.class, () -> DataReaders.idxDirectory(dir, true)).getMessage();
        assertTrue(m.startsWith(dir + ": no training images file there; looked for train-images-idx3-ubyte.gz, "), m);
        file("train-images-idx3-ubyte", idx(IdxReader.IMAGES_MAGIC, new int[] {1, 1, 1}, new byte[1]));
        file("train-labels-idx1-ubyte", idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[1]));
        assertEquals(1, DataReaders.idxDirectory(dir, true).size());
        m = assertThrows(NoSuchFileException.class, () -> DataReaders.idxDirectory(dir, false)).getMessage();
        assertTrue(m.startsWith(dir + ": no held-out images file there; looked for t10k-images-idx3-ubyte.gz, "), m);
        assertTrue(m.contains("test-images-idx3-ubyte"), m);
        Path plain = dir.resolve("train-images-idx3-ubyte");
        m = assertThrows(FileSystemException.class, () -> DataReaders.idxDirectory(plain, true)).getMessage();
        assertTrue(m.startsWith(plain + ": is a file; expected a directory that holds MNIST-style IDX files"), m);
        m = assertThrows(NoSuchFileException.class, () -> DataReaders.idxDirectory(dir.resolve("nope"), true))
                .getMessage();
        assertEquals(dir.resolve("nope") + ": no such directory", m);
    }

    private String corrupt(byte[] images, byte[] labels) throws IOException {
        Path im = file("images", images);
        Path lb = file("labels", labels);
        return assertThrows(CorruptFileException.class, () -> DataReaders.idx(im, lb)).getMessage();
    }

    private static final byte[] GOOD_LABELS = idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1});

    private static byte[] images(int[] dims, int bodyBytes) {
        return idx(IdxReader.IMAGES_MAGIC, dims, new byte[bodyBytes]);
    }

    @Test
    void rejectsBadMagic() throws IOException {
        String m = corrupt(idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[2]), GOOD_LABELS);
        assertTrue(m.contains("images") && m.contains("bad magic 0x00000801"), m);
        m = corrupt(images(new int[] {2, 2, 2}, 8), idx(0x00000c01, new int[] {2}, new byte[2]));
        assertTrue(m.contains("labels") && m.contains("bad magic 0x00000c01"), m);
    }

    @Test
    void rejectsTruncatedHeaderAndData() throws IOException {
        byte[] full = images(new int[] {2, 2, 2}, 8);
        String m = corrupt(Arrays.copyOf(full, 2), GOOD_LABELS);
        assertTrue(m.contains("too short for the IDX magic"), m);
        m = corrupt(Arrays.copyOf(full, 10), GOOD_LABELS);
        assertTrue(m.contains("truncated header"), m);
        m = corrupt(Arrays.copyOf(full, full.length - 1), GOOD_LABELS);
        assertTrue(m.contains("promises 8 data bytes from byte 16, more than the 23-byte file can hold"), m);
        m = corrupt(gzip(Arrays.copyOf(full, full.length - 1)), GOOD_LABELS);
        assertTrue(m.contains("only 7 follow"), m);
        m = corrupt(full, Arrays.copyOf(GOOD_LABELS, GOOD_LABELS.length - 1));
        assertTrue(m.contains("labels") && m.contains("promises 2 data bytes from byte 8, more than the 9-byte"), m);
        m = corrupt(full, gzip(Arrays.copyOf(GOOD_LABELS, GOOD_LABELS.length - 1)));
        assertTrue(m.contains("labels") && m.contains("only 1 follow"), m);
    }

    @Test
    void rejectsTrailingData() throws IOException {
        byte[] full = images(new int[] {2, 2, 2}, 8);
        String m = corrupt(Arrays.copyOf(full, full.length + 1), GOOD_LABELS);
        assertTrue(m.contains("trailing data after byte 24"), m);
        m = corrupt(full, gzip(Arrays.copyOf(GOOD_LABELS, GOOD_LABELS.length + 3)));
        assertTrue(m.contains("labels") && m.contains("trailing data after byte 10"), m);
    }

    @Test
    void rejectsBadSizes() throws IOException {
        String m = corrupt(images(new int[] {2, 0, 2}, 0), GOOD_LABELS);
        assertTrue(m.contains("dimension 1 (byte 8) is 0, must be positive"), m);
        m = corrupt(images(new int[] {-2, 2, 2}, 8), GOOD_LABELS);
        assertTrue(m.contains("dimension 0 (byte 4) is -2"), m);
        m = corrupt(images(new int[] {65536, 65536, 65536}, 8), GOOD_LABELS);
        assertTrue(m.contains("multiply to more than"), m);
        // A claim of 800 million values backed by nothing fails as truncated, without allocating for the claim.
        m = corrupt(gzip(images(new int[] {1_000_000, 28, 28}, 8)), idx(IdxReader.LABELS_MAGIC, new int[] {1_000_000}, new byte[0]));
        assertTrue(m.contains("promises 784000000 data bytes"), m);
    }

    @Test
    void rejectsDifferentImageAndLabelCounts() throws IOException {
        String m = corrupt(images(new int[] {3, 2, 2}, 12), GOOD_LABELS);
        assertTrue(m.contains("holds 3 images but") && m.contains("holds 2 labels"), m);
    }

    @Test
    void rejectsBrokenGzip() throws IOException {
        byte[] gz = gzip(images(new int[] {2, 2, 2}, 8));
        gz[gz.length / 2] ^= 0x55;
        gz[gz.length / 2 + 1] ^= 0x55;
        String m = corrupt(gz, GOOD_LABELS);
        assertTrue(m.contains("images"), m);
        m = corrupt(new byte[] {0x1f, (byte) 0x8b, 8}, GOOD_LABELS);
        assertTrue(m.contains("bad gzip data"), m);
    }

    @Test
    void readsRealFashionMnist() throws IOException {
        assumeTrue(Files.isDirectory(FASHION),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in " + FASHION + ")");
        Dataset train = DataReaders.idxDirectory(FASHION, true);
        Dataset test = DataReaders.idxDirectory(FASHION, false);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(784, train.features());
        assertEquals(10, train.classes());
        assertEquals(10, test.classes());
        // Fashion-MNIST is exactly balanced: 6,000 training and 1,000 test images per class.
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 6000);
        assertArrayEquals(expected, perClass);
        float max = 0;
        for (float v : train.featuresArray()) {
            max = Math.max(max, v);
        }
        assertEquals(255f, max);
    }
}
